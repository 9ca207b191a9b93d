using VecLm.Decoder;
using VecLm.Embeddings;
using VecLm.Evaluation;
using VecLm.Regressor;
using VecLm.Regressor.Tests;

namespace VecLm.Evaluation.Tests;

public class ScoringTests
{
    /// <summary>
    /// Four words on a circle in 2-D: a (0°), b (30°), c (90°), d (180°). Each word's nearest neighbour is known,
    /// so near-misses can be counted by hand.
    /// </summary>
    private static WordVectors Circle()
    {
        float[] Unit(double degrees) => [(float)Math.Cos(degrees * Math.PI / 180), (float)Math.Sin(degrees * Math.PI / 180)];
        var data = new[] { Unit(0), Unit(30), Unit(90), Unit(180) }.SelectMany(v => v).ToArray();
        return new WordVectors(new Vocabulary(["a", "b", "c", "d"], [40, 30, 20, 10]), 2, data);
    }

    [Fact]
    public void MetricsOnHandMadePredictionsAreTheHandComputedOnes()
    {
        var vectors = Circle();
        // With four words, the true word's 10 nearest neighbours are all three others: every wrong guess is a near-miss.
        var metrics = new MetricsAccumulator(vectors, new ExactIndex(vectors.Data, 2), new FrequencyBands(vectors.Vocabulary));
        metrics.Add(new TokenPrediction(0, [0, 1], [1f, 0.9f], Math.Log(0.5)));        // right
        metrics.Add(new TokenPrediction(1, [0, 1], [1f, 0.9f], Math.Log(0.25)));       // wrong, top-5 right; a is b's neighbour
        metrics.Add(new TokenPrediction(2, [3, 0], [1f, 0.9f], Math.Log(0.125)));      // wrong, not in top-5; d is c's neighbour
        metrics.Add(new TokenPrediction(3, [3, 2], [1f, 0.9f], Math.Log(0.5)));        // right
        var m = metrics.Result();

        Assert.Equal(4, m.Tokens);
        Assert.Equal(0.5, m.Top1, 12);
        Assert.Equal(0.75, m.Top5, 12);
        Assert.Equal(Math.Exp(-(Math.Log(0.5) * 2 + Math.Log(0.25) + Math.Log(0.125)) / 4), m.Perplexity!.Value, 9);
        // cos(a,a) + cos(a,b) + cos(d,c) + cos(d,d) = 1 + cos 30° + cos 90° + 1
        Assert.Equal((2 + Math.Cos(Math.PI / 6)) / 4, m.MeanCosine, 5);
        Assert.Equal(1.0, m.NearMiss, 12); // both wrong guesses are among the true word's (3) neighbours
        Assert.Equal(0.5, m.BandTop1["top100"].Top1, 12);
        Assert.Equal(4, m.BandTop1["top100"].Tokens);
    }

    [Fact]
    public void NeighboursFoundInOneBatchAreTheOnesFoundOneByOne()
    {
        var random = new Random(8);
        int n = 300, dim = 8;
        var data = Enumerable.Range(0, n * dim).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var vectors = new WordVectors(new Vocabulary(Enumerable.Range(0, n).Select(i => $"w{i}").ToArray(),
                                                     Enumerable.Range(0, n).Select(i => (long)(n - i)).ToArray()), dim, data);
        var index = new ExactIndex(data, dim);
        var ids = Enumerable.Range(0, 120).Select(_ => random.Next(n)).ToArray();   // repeats included
        var batched = new NearMissNeighbours(vectors, index);
        batched.Prepare(ids, threads: 2);
        var single = new NearMissNeighbours(vectors, index);
        foreach (int id in ids)
        {
            var set = batched.Of(id);
            Assert.Equal(MetricsAccumulator.NearMissNeighbours, set.Count);
            Assert.DoesNotContain(id, set);
            Assert.Equal(single.Of(id).Order(), set.Order());
        }
        // The sets are the true words' nearest by cosine, checked against a plain scan for one of them.
        int probe = ids[0];
        var byCosine = Enumerable.Range(0, n).Where(i => i != probe)
            .OrderByDescending(i => VectorMath.Cosine(vectors[probe], vectors[i])).Take(MetricsAccumulator.NearMissNeighbours);
        Assert.Equal(byCosine.Order(), batched.Of(probe).Order());
    }

    [Fact]
    public void AGuessFarFromTheTrueWordIsNotANearMiss()
    {
        // Twelve words: the true word's 10 nearest neighbours leave exactly one word out, the opposite one.
        int n = 12;
        var data = Enumerable.Range(0, n).SelectMany(i => new[] { (float)Math.Cos(i * 0.2), (float)Math.Sin(i * 0.2) }).ToArray();
        var words = Enumerable.Range(0, n).Select(i => $"w{i}").ToArray();
        var vectors = new WordVectors(new Vocabulary(words, Enumerable.Range(0, n).Select(i => (long)(n - i)).ToArray()), 2, data);
        var metrics = new MetricsAccumulator(vectors, new ExactIndex(data, 2), new FrequencyBands(vectors.Vocabulary));
        metrics.Add(new TokenPrediction(0, [11], [1f]));   // w11 is the farthest from w0: a plain miss
        metrics.Add(new TokenPrediction(0, [1], [1f]));    // w1 is w0's nearest: a near-miss
        Assert.Equal(0.5, metrics.Result().NearMiss, 12);
        Assert.Null(metrics.Result().Perplexity);
    }

    [Fact]
    public void CompareWritesAReportWithBothModelsAndRealPngs()
    {
        using var dir = new TempDir();
        var corpus = TinyData.Corpus(dir, 200);
        var vectors = TinyData.SaveVectors(dir, TinyData.Vectors(TinyData.Sentences));
        var test = TinyData.Corpus(dir, 20, seed: 2, name: "test.txt");
        foreach (var (name, loss) in new[] { ("cosine", LossKind.Cosine), ("softmax", LossKind.Softmax) })
        {
            using var trainer = new Trainer(TinyData.Options(corpus, vectors, dir.File(name), loss) with
            {
                MaxSteps = 30, Epochs = 2, ValidPath = test,
            });
            trainer.Train();
        }
        var report = ModelEvaluator.Compare([dir.File("cosine"), dir.File("softmax")], null, test, new ScoringOptions(), examples: 3);
        report.Write(dir.File("report"));

        string md = File.ReadAllText(dir.File("report/report.md"));
        Assert.Contains("| | cosine | softmax |", md);
        Assert.Contains("| perplexity | – |", md);
        Assert.Equal(3, report.Examples.Count);
        Assert.All(report.Examples, e => Assert.Equal(2, e.Predictions.Count));
        Assert.All(report.Curves, c => Assert.NotEmpty(c.Seconds));
        Assert.Equal(report.Models[0].Tokens, report.Models[1].Tokens);
        Assert.NotNull(report.Models[0].HnswAgreement);
        Assert.NotNull(report.Models[1].Perplexity);
        // The regression model is scored under every rule it has (cosine, the fitted prior and posterior, CSLS), the
        // headline figures being the better on validation of the prior and the posterior; the softmax model has one
        // row, its own output layer.
        Assert.Equal(["cosine", "prior", "posterior", "csls"], report.Models[0].Rules.Select(r => r.Rule.Split(' ')[0]));
        Assert.Matches("^(prior|posterior) β=", report.Models[0].Rule);
        Assert.Equal(report.Models[0].Top1, report.Models[0].Rules.Single(r => r.Rule == report.Models[0].Rule).Top1);
        Assert.Equal("center", report.Models[0].Targets);
        Assert.Equal(5, report.RuleRows().Count());
        Assert.Contains("## Decoding rules", md);
        Assert.True(report.Models.All(m => m.OutputMicros > 0));
        foreach (var png in new[] { ComparisonReport.CurvesPng, ComparisonReport.BandsPng })
        {
            var bytes = File.ReadAllBytes(dir.File("report/" + png));
            Assert.True(bytes.Length > 1000);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        }
    }
}
