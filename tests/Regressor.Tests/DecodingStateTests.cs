using VecLm.Decoder;

namespace VecLm.Regressor.Tests;

/// <summary>decoding.json: the training counts, β fitted after training, the rules a loaded model decodes with.</summary>
public class DecodingStateTests
{
    [Fact]
    public void TrainingWithValidationRecordsCountsBetaAndHubness()
    {
        using var dir = new TempDir();
        string corpus = TinyData.Corpus(dir, 120);
        string valid = TinyData.Corpus(dir, 30, seed: 2, name: "valid.txt");
        var words = TinyData.Vectors(TinyData.Sentences);
        string vectors = TinyData.SaveVectors(dir, words);
        string model = dir.File("model");
        using (var trainer = new Trainer(TinyData.Options(corpus, vectors, model, LossKind.Cosine) with { MaxSteps = 40, Epochs = 2, ValidPath = valid }))
            trainer.Train();

        var ids = TokenBatches.Tokenize(corpus, words.Vocabulary);
        var state = DecodingState.Load(Path.Combine(model, "decoding.json"), words.Count);
        for (int w = 0; w < words.Count; w++) Assert.Equal(ids.Count(i => i == w), state.Counts[w]);
        Assert.NotNull(state.Beta);
        Assert.Equal(PriorFit.DefaultGrid.Length, state.BetaCurve!.Length);
        Assert.Equal(state.BetaCurve.Max(c => c[1]), state.PriorTop1!.Value, 12);
        Assert.Equal(0.0, state.BetaCurve[0][0]);
        Assert.Equal(state.BetaCurve[0][1], state.CosineTop1!.Value, 12);
        Assert.Equal(words.Count, state.Hubness!.Length);
        Assert.NotNull(state.PosteriorBeta);
        Assert.Equal(state.PosteriorCurve!.Max(c => c[1]), state.PosteriorTop1!.Value, 12);

        // One fit per validation: the best epoch's metrics row and decoding.json hold the same fit.
        var rows = MetricsLog.Read(Path.Combine(model, "metrics.csv"));
        var best = rows.MinBy(r => r.ValidLoss);
        // metrics.csv keeps six significant digits ("G6"): the same fit writes the same digits. (Comparing at 5 decimal
        // places failed on a value that rounded one way from the file and the other way from decoding.json: 144/190.)
        static string G6(double v) => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(G6(state.CosineTop1!.Value), G6(best.Top1));
        Assert.Equal(G6(state.PriorTop1!.Value), G6(best.Top1Prior));
        Assert.Equal(G6(state.Beta!.Value), G6(best.Beta));
        Assert.Equal(G6(state.PosteriorTop1!.Value), G6(best.Top1Posterior));
        Assert.Equal(G6(state.PosteriorBeta!.Value), G6(best.PosteriorBeta));

        using var loaded = TrainedModel.Load(model, vectors);
        var expected = state.PosteriorTop1 > state.PriorTop1 ? RuleKind.Posterior : RuleKind.Prior;
        Assert.Equal(expected, loaded.Rule.Kind);
        Assert.Equal(expected == RuleKind.Prior ? state.Beta!.Value : state.PosteriorBeta!.Value, loaded.Rule.Beta);
        Assert.Equal(state.Beta!.Value, loaded.RuleFor(RuleKind.Prior).Beta);
        Assert.Equal(state.PosteriorBeta!.Value, loaded.RuleFor(RuleKind.Posterior).Beta);
        Assert.Equal(RuleKind.Cosine, loaded.RuleFor(RuleKind.Cosine).Kind);
        Assert.Equal(0.5, loaded.RuleFor(beta: 0.5).Beta);
        Assert.Equal(expected, loaded.RuleFor(beta: 0.5).Kind);
        Assert.Equal(RuleKind.Csls, loaded.RuleFor(RuleKind.Csls).Kind);
    }

    [Fact]
    public void WithoutValidationAModelDecodesByCosineAndThePriorNeedsABeta()
    {
        using var dir = new TempDir();
        string corpus = TinyData.Corpus(dir, 40);
        string vectors = TinyData.SaveVectors(dir, TinyData.Vectors(TinyData.Sentences));
        string model = dir.File("model");
        using (var trainer = new Trainer(TinyData.Options(corpus, vectors, model, LossKind.Cosine) with { MaxSteps = 3 }))
            trainer.Train();
        using var loaded = TrainedModel.Load(model, vectors);
        Assert.Equal(RuleKind.Cosine, loaded.Rule.Kind);
        Assert.Contains("--beta", Assert.Throws<InvalidDataException>(() => loaded.RuleFor(RuleKind.Prior)).Message);
        Assert.Equal(RuleKind.Prior, loaded.RuleFor(beta: 0.1).Kind);
        Assert.Throws<InvalidDataException>(() => loaded.RuleFor(RuleKind.Csls));
    }

    [Fact]
    public void AHugeBetaPredictsTheMostFrequentTrainingWordEverywhere()
    {
        using var dir = new TempDir();
        string corpus = TinyData.Corpus(dir, 40);
        var words = TinyData.Vectors(TinyData.Sentences);
        string vectors = TinyData.SaveVectors(dir, words);
        string model = dir.File("model");
        using (var trainer = new Trainer(TinyData.Options(corpus, vectors, model, LossKind.Cosine) with { MaxSteps = 5 }))
            trainer.Train();
        var counts = DecodingState.Load(Path.Combine(model, "decoding.json"), words.Count).Counts;
        int mostFrequent = Array.IndexOf(counts, counts.Max());
        using var loaded = TrainedModel.Load(model, vectors);
        loaded.Rule = loaded.RuleFor(beta: 1000);
        int[] input = [0, 2, 3, 4, 5, 6];
        Assert.All(loaded.PredictNext(input), id => Assert.Equal(mostFrequent, id));
    }

    [Fact]
    public void ACorruptDecodingFileIsRejected()
    {
        using var dir = new TempDir();
        string path = dir.File("decoding.json");
        File.WriteAllText(path, "{\"counts\": [1, 2, 3]}");
        Assert.Throws<InvalidDataException>(() => DecodingState.Load(path, 4));
        File.WriteAllText(path, "{\"counts\": [1, 2");
        Assert.Throws<InvalidDataException>(() => DecodingState.Load(path, 3));
    }

    [Fact]
    public void TheDefaultRuleIsThePriorOrThePosteriorWhicheverDidBetterOnValidation()
    {
        var state = new DecodingState { Counts = [3, 1], Beta = 0.1, PriorTop1 = 0.2, CosineTop1 = 0.1 };
        Assert.Equal(RuleKind.Prior, state.DefaultRule);                                  // no posterior fitted
        Assert.Equal(RuleKind.Prior, (state with { PosteriorBeta = 0.9, PosteriorTop1 = 0.2 }).DefaultRule);   // a tie
        var better = state with { PosteriorBeta = 0.9, PosteriorTop1 = 0.25 };
        Assert.Equal(RuleKind.Posterior, better.DefaultRule);
        Assert.Equal(0.9, better.Rule().Beta);
        Assert.True(better.Rule().ByLength);
        Assert.Equal(RuleKind.Cosine, new DecodingState { Counts = [3, 1] }.DefaultRule);
    }

    [Fact]
    public void TheShortlistHoldsTheWordsValidationPredictionsDecodeToAndSurvivesASave()
    {
        // 30,000 words (where HNSW decoding starts), 8 dims; 200 predictions near random words.
        const int words = DecoderChoice.HnswFrom, dim = 8;
        var random = new Random(3);
        var vectors = Enumerable.Range(0, words * dim).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var targets = new ExactIndex(vectors, dim);
        var outputs = new float[200 * dim];
        for (int i = 0; i < 200; i++)
        {
            int w = random.Next(words);
            for (int d = 0; d < dim; d++) outputs[i * dim + d] = vectors[w * dim + d] + (float)(random.NextDouble() - 0.5) * 0.3f;
        }
        var counts = Enumerable.Range(0, words).Select(w => (long)(words - w)).ToArray();
        var state = new DecodingState { Counts = counts, Beta = 0.05 }.WithHubness(targets, outputs, 2).WithShortlist(targets, outputs, 2);
        var list = state.Shortlist!;
        Assert.Equal(list.Order(), list);
        Assert.Equal(list.Length, list.Distinct().Count());
        // Every word of a prediction's exact best under plain cosine; under CSLS every one among its nearest
        // ShortlistCandidates words (those it rescores); nothing from outside those.
        var nearest = targets.SearchBatch(outputs, DecodingState.ShortlistCandidates, 2);
        var csls = state.Rule(RuleKind.Csls);
        var best = targets.SearchBatch(outputs, DecodingState.ShortlistDepth, 2, csls.Bias, csls.ByLength);
        var expected = new HashSet<int>();
        for (int i = 0; i < 200; i++)
        {
            expected.UnionWith(nearest[i].Take(DecodingState.ShortlistDepth).Select(h => h.Id));
            var near = nearest[i].Select(h => h.Id).ToHashSet();
            expected.UnionWith(best[i].Select(h => h.Id).Where(near.Contains));
        }
        Assert.Superset(expected, list.ToHashSet());
        Assert.Subset(nearest.SelectMany(hits => hits).Select(h => h.Id).ToHashSet(), list.ToHashSet());
        // CSLS's best lie among a prediction's nearest words, so hardly any is left out.
        double held = best.SelectMany(hits => hits).Average(h => list.Contains(h.Id) ? 1.0 : 0.0);
        Assert.True(held > 0.98, $"{held:P1} of CSLS's best in the shortlist");
        Assert.InRange(list.Length, DecodingState.ShortlistDepth + 1, 2 * 200 * DecodingState.ShortlistDepth);

        using var dir = new TempDir();
        string path = dir.File("decoding.json");
        state.Save(path);
        Assert.Equal(list, DecodingState.Load(path, words).Shortlist);
        (state with { Shortlist = [1, words] }).Save(path);
        Assert.Throws<InvalidDataException>(() => DecodingState.Load(path, words));

        // Below HnswFrom words decoding is exact: no shortlist.
        var small = new ExactIndex(vectors.AsSpan(0, 1000 * dim), dim);
        Assert.Null(new DecodingState { Counts = counts[..1000] }.WithShortlist(small, outputs, 2).Shortlist);
    }
}
