using VecLm.Embeddings;

namespace VecLm.Evaluation;

/// <summary>
/// <c>veclm eval</c> and <c>veclm compare</c> as library calls: load a model folder (with the vectors it names, or
/// others given), tokenise the test file as the model reads text (<see cref="TrainedModel.Tokenizer"/>), look its tokens
/// up in the model's vocabulary and score it.
/// </summary>
public static class ModelEvaluator
{
    public static ScoredModel Evaluate(string modelDir, string? vectorsPath, string testPath, ScoringOptions options,
                                       Action<double>? progress = null)
    {
        using var model = TrainedModel.Load(modelDir, vectorsPath, options.Tokenizer);
        var decode = UseDecodeVocabulary(model, options, modelDir);
        if (decode is null && model.Config.IsRegression && (options.DecodeVectors ?? (object?)options.UnseenBoost) is not null)
            throw new BadInputException(NoDecodeVocabulary);
        var ids = TokenBatches.Tokenize(testPath, model.Vectors.Vocabulary, model.Tokenizer);
        if (options.OpenVocab) options = options with { Open = OpenBands(options, [model], [modelDir], testPath) };
        var scored = TestScorer.Score(model, ids, options, modelDir, progress);
        return scored with { Evaluation = scored.Evaluation with
        {
            Name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(modelDir))), DecodeVocab = decode,
        } };
    }

    public const string NoDecodeVocabulary =
        "--decode-vectors and --unseen-boost need a decode vocabulary: --decode-vocab, or a model trained with one";

    /// <summary>
    /// Evaluates every model on the same tokens and builds the report (examples at evenly spaced positions); models that
    /// read text differently (<see cref="TrainedModel.Tokenizer"/>) would see other tokens and are a <see cref="BadInputException"/>.
    /// </summary>
    public static ComparisonReport Compare(IReadOnlyList<string> modelDirs, string? vectorsPath, string testPath,
                                           ScoringOptions options, int examples, Action<string, double>? progress = null)
    {
        var models = new List<ModelEvaluation>();
        var predictions = new List<IReadOnlyDictionary<int, TokenPrediction>>();
        var curves = new List<TrainingCurve>();
        int[]? ids = null;
        Embeddings.Vocabulary? vocabulary = null;
        HashSet<int> unseen = [];
        Tokenizers(modelDirs, options.Tokenizer);
        foreach (var dir in modelDirs)
        {
            using var model = TrainedModel.Load(dir, vectorsPath, options.Tokenizer);
            var decode = UseDecodeVocabulary(model, options, dir);
            var tokens = TokenBatches.Tokenize(testPath, model.Vectors.Vocabulary, model.Tokenizer);
            if (ids is null)
            {
                ids = tokens;
                vocabulary = model.Vectors.Vocabulary;
                options = options with { ExamplePositions = ExamplePositions(ids.Length, examples) };
                if (options.OpenVocab)
                {
                    options = options with { Open = OpenBands(options, [model], modelDirs, testPath) };
                    unseen = UnseenPositions(options.Open!.Value, examples);
                    options = options with { ExamplePositions = options.ExamplePositions.Union(unseen).ToHashSet() };
                }
            }
            var scored = TestScorer.Score(model, tokens, options, dir, p => progress?.Invoke(dir, p));
            string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir)));
            models.Add(scored.Evaluation with { Name = name, DecodeVocab = decode });
            predictions.Add(scored.Examples);
            var rows = File.Exists(new Checkpoint(dir).MetricsPath) ? MetricsLog.Read(new Checkpoint(dir).MetricsPath) : [];
            curves.Add(new TrainingCurve(name, rows.Select(r => r.WallSeconds).ToArray(), rows.Select(r => r.BestTop1).ToArray()));
        }
        var surface = options.Open?.Surface;
        var sample = options.ExamplePositions.Order().Select(t => new Example(
            string.Join(' ', Enumerable.Range(Math.Max(0, t - 7), Math.Min(t, 7) + 1).Select(i => surface?[i] ?? vocabulary![ids![i]])),
            surface?[t + 1] ?? vocabulary![ids![t + 1]],
            predictions.Select(p => (IReadOnlyList<(string, float)>)(p[t].Words ?? p[t].Ranked.Select(i => vocabulary![i]).ToArray())
                .Zip(p[t].Scores).ToList()).ToList(), unseen.Contains(t))).ToList();
        return new ComparisonReport(testPath, models, curves, sample);
    }

    /// <summary>
    /// The tokenizer each model reads the test text with (<see cref="TrainedModel.TokenizerFor"/>, with
    /// <paramref name="given"/>); models that read text differently would be scored on other tokens: a
    /// <see cref="BadInputException"/> naming them.
    /// </summary>
    public static IReadOnlyList<TokenizerChoice> Tokenizers(IReadOnlyList<string> modelDirs, TokenizerOptions? given)
    {
        var choices = modelDirs.Select(d => TrainedModel.TokenizerFor(d, given)).ToList();
        if (choices.Select(c => c.Tokenizer).Distinct().Count() > 1)
            throw new BadInputException("the models read text differently, so they would be scored on other tokens: " +
                string.Join(", ", modelDirs.Select((d, i) => $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(d)))} " +
                                                          TokenizerOptions.Describe(choices[i].Tokenizer))));
        return choices;
    }

    /// <summary>
    /// A regression model decodes to the decode vocabulary, when there is one, the prior of the words it never had
    /// raised by the boost given or, without one, the boost fitted on the validation text its folder records
    /// (<see cref="BackoffFit"/>; 0 when there is none).
    /// </summary>
    private static DecodeVocabInfo? UseDecodeVocabulary(TrainedModel model, ScoringOptions options, string dir)
    {
        if ((options.DecodeVocab ?? model.SavedDecodeVocabulary) is not { } list || !model.Config.IsRegression) return null;
        var vocabulary = DecodeVocabulary.Load(list, options.DecodeVectors ?? model.VectorsPath, model.Vectors.Vocabulary);
        model.UseDecodeVocabulary(vocabulary, options.UnseenBoost ?? 0);
        int unseen = vocabulary.ModelIds.Count(i => i < 0);
        IReadOnlyList<BackoffPoint> curve = [];
        UnseenRanks? ranks = null;
        double boost = options.UnseenBoost ?? 0;
        var valid = model.Config.Training?.ValidPath is { Length: > 0 } v ? Path.GetFullPath(v, Path.GetFullPath(dir)) : null;
        if (options.UnseenBoost is null && valid is not null && File.Exists(valid) && unseen > 0 && model.Decoding is not null)
        {
            var open = OpenVocabulary.Load(TrainText(options, model, dir), model.Vectors.Vocabulary.Words.Concat(vocabulary.Vectors.Vocabulary.Words),
                                           model.Tokenizer);
            model.Rule = model.RuleFor(options.Rule, options.Beta);
            (boost, curve, ranks) = BackoffFit.Fit(model, open, valid);
            model.UseDecodeVocabulary(vocabulary, boost);
        }
        return new DecodeVocabInfo(vocabulary.Count, unseen, boost, curve, ranks);
    }

    /// <summary>The training text: <see cref="ScoringOptions.TrainText"/>, else the one the model's config.json records.</summary>
    private static string TrainText(ScoringOptions options, TrainedModel model, string dir)
    {
        string? train = options.TrainText;
        if (train is null)
        {
            var recorded = model.Config.Training?.TrainPath;
            if (string.IsNullOrEmpty(recorded))
                throw new BadInputException($"the training text is needed and {dir} does not record it: pass --train FILE");
            train = Path.GetFullPath(recorded, Path.GetFullPath(dir));
        }
        if (!File.Exists(train))
            throw new BadInputException($"the training text {train} is needed and is gone: pass --train FILE");
        return train;
    }

    /// <summary>
    /// The open-vocabulary bands: the training text's counts (<see cref="ScoringOptions.TrainText"/>, else the text the
    /// first model was trained on, as its config.json records it) and the words the models decode.
    /// </summary>
    private static (OpenVocabulary, string[]) OpenBands(ScoringOptions options, IReadOnlyList<TrainedModel> models,
                                                        IReadOnlyList<string> dirs, string testPath)
    {
        string train = TrainText(options, models[0], dirs[0]);
        var decodable = models.SelectMany(m => m.Vectors.Vocabulary.Words);
        // The decode vocabularies of every model compared (each folder's own, or the one given for all).
        var lists = options.DecodeVocab is { } given ? [given]
            : dirs.Select(d => new Checkpoint(d).DecodeVocabPath).Where(File.Exists).ToArray();
        foreach (var list in lists.Distinct()) decodable = decodable.Concat(DecodeVocabulary.ReadWords(list));
        var open = OpenVocabulary.Load(train, decodable, models[0].Tokenizer);
        return (open, OpenVocabulary.Surface(testPath, models[0].Tokenizer));
    }

    /// <summary>Up to <paramref name="count"/> positions, evenly spaced, whose next word the training text never had but a model can decode.</summary>
    private static HashSet<int> UnseenPositions((OpenVocabulary Bands, string[] Surface) open, int count)
    {
        var all = Enumerable.Range(0, open.Surface.Length - 1).Where(t => open.Bands.BandOf(open.Surface[t + 1]) == 2).ToList();
        return Enumerable.Range(0, Math.Min(count, all.Count)).Select(i => all[(int)((i + 0.5) * all.Count / Math.Min(count, all.Count))]).ToHashSet();
    }

    private static HashSet<int> ExamplePositions(int tokens, int count) =>
        Enumerable.Range(0, Math.Max(0, count)).Select(i => (int)((i + 0.5) * (tokens - 1) / Math.Max(1, count)))
            .Where(t => t < tokens - 1).ToHashSet();
}
