using VecLm.Embeddings;

namespace VecLm.Evaluation;

/// <summary>
/// <c>veclm eval</c> and <c>veclm compare</c> as library calls: load a model folder (with the vectors it names, or
/// others given), tokenise the test file with its vocabulary and score it.
/// </summary>
public static class ModelEvaluator
{
    public static ScoredModel Evaluate(string modelDir, string? vectorsPath, string testPath, ScoringOptions options,
                                       Action<double>? progress = null)
    {
        using var model = TrainedModel.Load(modelDir, vectorsPath);
        UseDecodeVocabulary(model, options);
        var ids = TokenBatches.Tokenize(testPath, model.Vectors.Vocabulary);
        if (options.OpenVocab) options = options with { Open = OpenBands(options, [model], [modelDir], testPath) };
        var scored = TestScorer.Score(model, ids, options, modelDir, progress);
        return scored with { Evaluation = scored.Evaluation with { Name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(modelDir))) } };
    }

    /// <summary>Evaluates every model on the same tokens and builds the report (examples at evenly spaced positions).</summary>
    public static ComparisonReport Compare(IReadOnlyList<string> modelDirs, string? vectorsPath, string testPath,
                                           ScoringOptions options, int examples, Action<string, double>? progress = null)
    {
        var models = new List<ModelEvaluation>();
        var predictions = new List<IReadOnlyDictionary<int, TokenPrediction>>();
        var curves = new List<TrainingCurve>();
        int[]? ids = null;
        Embeddings.Vocabulary? vocabulary = null;
        foreach (var dir in modelDirs)
        {
            using var model = TrainedModel.Load(dir, vectorsPath);
            UseDecodeVocabulary(model, options);
            var tokens = TokenBatches.Tokenize(testPath, model.Vectors.Vocabulary);
            if (ids is null)
            {
                ids = tokens;
                vocabulary = model.Vectors.Vocabulary;
                options = options with { ExamplePositions = ExamplePositions(ids.Length, examples) };
                if (options.OpenVocab) options = options with { Open = OpenBands(options, [model], [dir], testPath) };
            }
            var scored = TestScorer.Score(model, tokens, options, dir, p => progress?.Invoke(dir, p));
            string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir)));
            models.Add(scored.Evaluation with { Name = name });
            predictions.Add(scored.Examples);
            var rows = File.Exists(new Checkpoint(dir).MetricsPath) ? MetricsLog.Read(new Checkpoint(dir).MetricsPath) : [];
            curves.Add(new TrainingCurve(name, rows.Select(r => r.WallSeconds).ToArray(), rows.Select(r => r.BestTop1).ToArray()));
        }
        var sample = options.ExamplePositions.Order().Select(t => new Example(
            string.Join(' ', ids![Math.Max(0, t - 7)..(t + 1)].Select(i => vocabulary![i])),
            vocabulary![ids[t + 1]],
            predictions.Select(p => (IReadOnlyList<(string, float)>)(p[t].Words ?? p[t].Ranked.Select(i => vocabulary[i]).ToArray())
                .Zip(p[t].Scores).ToList()).ToList())).ToList();
        return new ComparisonReport(testPath, models, curves, sample);
    }

    /// <summary>A regression model decodes to the decode vocabulary, when there is one.</summary>
    private static void UseDecodeVocabulary(TrainedModel model, ScoringOptions options)
    {
        if (options.DecodeVocab is not { } list || !model.Config.IsRegression) return;
        model.UseDecodeVocabulary(DecodeVocabulary.Load(list, options.DecodeVectors ?? model.VectorsPath, model.Vectors.Vocabulary),
                                  options.UnseenBoost);
    }

    /// <summary>
    /// The open-vocabulary bands: the training text's counts (<see cref="ScoringOptions.TrainText"/>, else the text the
    /// first model was trained on, as its config.json records it) and the words the models decode.
    /// </summary>
    private static (OpenVocabulary, string[]) OpenBands(ScoringOptions options, IReadOnlyList<TrainedModel> models,
                                                        IReadOnlyList<string> dirs, string testPath)
    {
        string? train = options.TrainText;
        if (train is null)
        {
            var recorded = models[0].Config.Training?.TrainPath;
            if (string.IsNullOrEmpty(recorded))
                throw new BadInputException($"--open-vocab needs the training text and {dirs[0]} does not record it: pass --train FILE");
            train = Path.GetFullPath(recorded, Path.GetFullPath(dirs[0]));
        }
        if (!File.Exists(train))
            throw new BadInputException($"--open-vocab needs the training text {train}, which is gone: pass --train FILE");
        var decodable = models.SelectMany(m => m.Vectors.Vocabulary.Words);
        if (options.DecodeVocab is { } list) decodable = decodable.Concat(DecodeVocabulary.ReadWords(list));
        var open = OpenVocabulary.Load(train, decodable);
        return (open, OpenVocabulary.Surface(testPath));
    }

    private static HashSet<int> ExamplePositions(int tokens, int count) =>
        Enumerable.Range(0, Math.Max(0, count)).Select(i => (int)((i + 0.5) * (tokens - 1) / Math.Max(1, count)))
            .Where(t => t < tokens - 1).ToHashSet();
}
