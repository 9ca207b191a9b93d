using VecLm.Embeddings;
using VecLm.Decoder;
using VecLm.Regressor.Generation;

namespace VecLm.Regressor.Tests;

/// <summary>Prediction and generation through the library, on tiny models trained for a few steps.</summary>
public sealed class GenerationTests : IDisposable
{
    private readonly TempDir dir = new();
    private readonly string vectors;

    public GenerationTests()
    {
        var corpus = TinyData.Corpus(dir, 200);
        vectors = TinyData.SaveVectors(dir, TinyData.Vectors(TinyData.Sentences));
        foreach (var loss in new[] { LossKind.Cosine, LossKind.Softmax })
        {
            using var trainer = new Trainer(TinyData.Options(corpus, vectors, dir.File(loss.ToString()), loss) with { MaxSteps = 30, Epochs = 1 });
            trainer.Train();
        }
    }

    private TrainedModel Load(LossKind loss) => TrainedModel.Load(dir.File(loss.ToString()), vectors);

    [Theory]
    [InlineData(LossKind.Cosine)]
    [InlineData(LossKind.Softmax)]
    public void GreedyGenerationPicksThePredictedTopWordAtEveryStep(LossKind loss)
    {
        using var model = Load(loss);
        var generator = new Generator(model);
        var prompt = generator.Encode("the cat");
        var generated = generator.Generate(prompt.Ids, 12, new Sampler(temperature: 0));
        for (int t = 0; t < generated.Length; t++)
        {
            int[] context = [.. prompt.Ids, .. generated[..t]];
            Assert.Equal(generator.Predict(context, 5)[0].Id, generated[t]);
        }
    }

    [Theory]
    [InlineData(LossKind.Cosine)]
    [InlineData(LossKind.Softmax)]
    public void TheSameSeedGivesTheSameTextAndOtherSeedsCanDiffer(LossKind loss)
    {
        using var model = Load(loss);
        var generator = new Generator(model);
        var ids = generator.Encode("a dog").Ids;
        int[] Run(int seed) => generator.Generate(ids, 20, new Sampler(temperature: 1, topP: 1, seed: seed));
        var first = Run(42);
        Assert.Equal(first, Run(42));
        Assert.Contains(Enumerable.Range(1, 5), seed => !Run(seed).SequenceEqual(first));
    }

    [Theory]
    [InlineData(LossKind.Cosine)]
    [InlineData(LossKind.Softmax)]
    public void ContextsReadAsOneBatchGiveEachTheOutputItGetsAlone(LossKind loss)
    {
        using var model = Load(loss);
        var generator = new Generator(model);
        // Lengths 1 to 7 in one batch: the short ones are padded at their ends.
        string[] prompts = ["the", "the old man read his", "a dog ran", "my bird sang a song the cat", "the cat sat on"];
        var streams = prompts.Select(p => p == "the" ? [model.Vectors.Vocabulary.EndOfSentenceId] : generator.Encode(p).Ids).ToList();
        var batched = model.LastOutputs(streams);
        Assert.Equal(prompts.Length, batched.Length);
        for (int i = 0; i < streams.Count; i++)
        {
            using var session = new ModelSession(model);
            var alone = session.Feed(streams[i]);
            Assert.Equal(alone.Length, batched[i].Length);
            for (int j = 0; j < alone.Length; j++) Assert.Equal(alone[j], batched[i][j], 1e-4f);
        }
        // the softmax head's logits vary enough that the same top words come out, in order
        Assert.Equal(model.Rank(batched[1], 5).Select(n => n.Id), generator.Predict(streams[1], 5).Select(n => n.Id));
    }

    [Theory]
    [InlineData(LossKind.Cosine)]
    [InlineData(LossKind.Softmax)]
    public void RankOfPutsEachRankedWordAtItsPlace(LossKind loss)
    {
        using var model = Load(loss);
        using var session = new ModelSession(model);
        var output = session.Feed(new Generator(model).Encode("the old man").Ids);
        var ranked = model.Rank(output, 6);
        for (int r = 0; r < ranked.Length; r++)
        {
            var (rank, value) = model.RankOf(output, ranked[r].Id);
            Assert.Equal(r + 1, rank);
            Assert.Equal(loss == LossKind.Softmax ? ranked[r].Score : ranked[r].Cosine, value, 1e-5);
        }
    }

    [Fact]
    public void ASessionFedPieceByPieceMatchesOneFeed()
    {
        using var model = Load(LossKind.Cosine);
        var ids = new Generator(model).Encode("the old man read").Ids;
        using var whole = new ModelSession(model);
        var once = whole.Feed(ids);
        using var pieces = new ModelSession(model);
        pieces.Feed(ids[..2]);
        var last = pieces.Feed(ids[2..]);
        Assert.Equal(ids.Length, pieces.Length);
        for (int i = 0; i < once.Length; i++) Assert.Equal(once[i], last[i], 4);
    }

    [Fact]
    public void PromptsStartWithEndOfSentenceAndReadUnknownWordsAsUnk()
    {
        using var model = Load(LossKind.Softmax);
        var generator = new Generator(model);
        var prompt = generator.Encode("  the  zebra cat zebra ");
        var v = model.Vectors.Vocabulary;
        Assert.Equal([v.EndOfSentenceId, v.IdOrUnknown("the"), v.UnknownId, v.IdOrUnknown("cat"), v.UnknownId], prompt.Ids);
        Assert.Equal(["zebra"], prompt.Unknown);
        Assert.Equal(["the", "zebra", "cat", "zebra"], prompt.Words);
        Assert.Contains("no word the model knows", Assert.Throws<BadInputException>(() => generator.Encode("zebra gnu")).Message);
        Assert.Contains("empty", Assert.Throws<BadInputException>(() => generator.Encode(" ")).Message);
    }

    [Fact]
    public void WithoutAnUnkEntryUnknownPromptWordsAreLeftOut()
    {
        var words = TinyData.Vectors(TinyData.Sentences);
        var kept = Enumerable.Range(0, words.Count).Where(i => words.Vocabulary[i] != Embeddings.Vocabulary.Unknown).ToArray();
        var noUnk = new Embeddings.WordVectors(new Embeddings.Vocabulary(kept.Select(i => words.Vocabulary[i]).ToList(), kept.Select(i => words.Vocabulary.Counts[i]).ToList()),
            words.Dim, kept.SelectMany(i => words[i].ToArray()).ToArray());
        string path = TinyData.SaveVectors(dir, noUnk, "no-unk.bin");
        using (var trainer = new Trainer(TinyData.Options(dir.File("train.txt"), path, dir.File("no-unk"), LossKind.Cosine) with { MaxSteps = 2, Epochs = 1 }))
            trainer.Train();
        using var model = TrainedModel.Load(dir.File("no-unk"), path);
        var prompt = new Generator(model).Encode("the zebra cat");
        var v = model.Vectors.Vocabulary;
        Assert.Equal([v.EndOfSentenceId, v.IdOrUnknown("the"), v.IdOrUnknown("cat")], prompt.Ids);
        Assert.True(prompt.UnknownLeftOut);
        Assert.Equal(["zebra"], prompt.Unknown);
    }

    [Fact]
    public void ScoresAreProbabilitiesForSoftmaxAndCosinesForRegression()
    {
        using var softmax = Load(LossKind.Softmax);
        var all = new Generator(softmax).Predict(new Generator(softmax).Encode("the").Ids, softmax.Config.VocabSize);
        Assert.Equal(1.0, all.Sum(r => (double)r.Score), 4);
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Score >= p.Second.Score));
        using var cosine = Load(LossKind.Cosine);
        var ids = new Generator(cosine).Encode("the").Ids;
        var top = new Generator(cosine).Predict(ids, 3);
        Assert.Equal(3, top.Length);
        // Trained without validation, the model decodes by plain cosine: each score is the cosine of the predicted
        // vector to the word's target row, computed here by hand.
        Assert.Equal(RuleKind.Cosine, cosine.Rule.Kind);
        var outputs = cosine.Outputs(ids);
        var predicted = outputs.AsSpan(outputs.Length - cosine.Config.OutputSize).ToArray();
        var rows = cosine.Targets!.ToArray();
        int dim = cosine.Config.OutputSize;
        foreach (var r in top)
        {
            var row = rows.AsSpan(r.Id * dim, dim).ToArray();
            double dot = predicted.Zip(row, (a, b) => (double)a * b).Sum();
            double cos = dot / Math.Sqrt(predicted.Sum(a => (double)a * a) * row.Sum(b => (double)b * b));
            Assert.Equal(cos, r.Cosine, 4);
            Assert.Equal(r.Cosine, r.Score);
        }
    }

    [Fact]
    public void TextPrintsEndOfSentenceAsALineBreak() =>
        Assert.Equal("the cat sat\na dog\n", Generator.Text(["the", "cat", "sat", "</s>", "a", "dog", "</s>"]));

    public void Dispose() => dir.Dispose();
}
