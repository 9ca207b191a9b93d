using System.Diagnostics;
using System.Text.Json;
using VecLm.Decoder;
using VecLm.Embeddings;
using static TorchSharp.torch;

namespace VecLm.Evaluation;

/// <summary>How <c>veclm eval</c> decodes and what it keeps.</summary>
public sealed record ScoringOptions
{
    /// <summary>
    /// Decode regression outputs with exact search (true), HNSW (false) or whichever is faster for the number of words
    /// decoded to (null, <see cref="DecoderChoice"/>); both are timed either way.
    /// </summary>
    public bool? Exact { get; init; }
    public int Ef { get; init; } = 64;
    /// <summary>The rule the headline figures use (null: the model's default, the prior once β is fitted).</summary>
    public RuleKind? Rule { get; init; }
    /// <summary>Overrides the model's fitted β for the prior rule.</summary>
    public double? Beta { get; init; }
    /// <summary>Positions (indexes of the predicting token) whose top predictions are kept as examples.</summary>
    public IReadOnlySet<int> ExamplePositions { get; init; } = new HashSet<int>();
    /// <summary>Score against the true words' strings too (<c>--open-vocab</c>), with the counts of this training text (null: the model's).</summary>
    public bool OpenVocab { get; init; }
    public string? TrainText { get; init; }
    /// <summary>
    /// <c>--tokenize [--lowercase]</c> as given (null: not given): for a model that records no tokenizer, the test and
    /// training texts are read with it; a model that records one reads them with its own, and another one given is an
    /// error (<see cref="TrainedModel.TokenizerFor"/>).
    /// </summary>
    public TokenizerOptions? Tokenizer { get; init; }
    /// <summary>
    /// A decode vocabulary (<c>--decode-vocab</c>: one word per line) the regression models decode to instead of their
    /// training vocabulary, with vectors from <see cref="DecodeVectors"/> (default: each model's own vectors file, which
    /// must then be a fastText .bin or hold the words), the words the models never had raised by
    /// <see cref="UnseenBoost"/> in the prior (null: fitted on the validation text the model records, <see cref="BackoffFit"/>;
    /// 0 without one).
    /// </summary>
    public string? DecodeVocab { get; init; }
    public string? DecodeVectors { get; init; }
    public double? UnseenBoost { get; init; }
    /// <summary>
    /// Open-vocabulary scoring (<see cref="OpenVocabulary"/>, filled in by <see cref="ModelEvaluator"/>): the bands, and the test tokens as strings, one per
    /// position of the ids scored; null: closed-vocabulary figures only.
    /// </summary>
    public (OpenVocabulary Bands, string[] Surface)? Open { get; init; }
}

/// <summary>The evaluation of one model, and its predictions at the example positions.</summary>
public sealed record ScoredModel(ModelEvaluation Evaluation, IReadOnlyDictionary<int, TokenPrediction> Examples);

/// <summary>
/// Scores a trained model on a test stream: every position predicts the next token. A regression head's outputs are
/// decoded under every rule the model has (cosine; the prior and the posterior with their fitted β; CSLS), each through exact search and
/// HNSW (both timed, one thread, with their agreement); the headline figures are those of the chosen rule. Softmax
/// gives probabilities directly. The near-miss rate and mean cosine compare words by their centred vectors, the same
/// for every model whatever its targets.
/// </summary>
public static class TestScorer
{
    private const int Ranked = 5;

    public static ScoredModel Score(TrainedModel model, int[] ids, ScoringOptions options, string modelDir,
                                    Action<double>? progress = null)
    {
        if (ids.Length < 2) throw new InvalidDataException("the test set needs at least two tokens");
        if (options.Open is { } open && open.Surface.Length != ids.Length)
            throw new ArgumentException($"{open.Surface.Length} test words for {ids.Length} positions");
        var space = new WordVectors(model.Vectors.Vocabulary, model.Vectors.Dim,
            PostProcessing.Center.Fit(model.Vectors).Apply(model.Vectors), model.Vectors.HasCounts);
        // One exact index, one neighbour table and one set of bands for every rule's accumulator; the true words'
        // neighbours found in one batch.
        var neighbours = new NearMissNeighbours(space, new ExactIndex(space.Data, space.Dim));
        neighbours.Prepare(ids.Skip(1));
        var bands = new FrequencyBands(space.Vocabulary);
        var newMetrics = () => new MetricsAccumulator(space, neighbours, bands);
        var examples = new Dictionary<int, TokenPrediction>();
        var evaluation = model.Config.IsRegression
            ? ScoreRegression(model, ids, options, newMetrics, examples, progress)
            : ScoreSoftmax(model, ids, options, newMetrics(), examples, progress);
        var (seconds, tokensPerSecond, stepTokensPerSecond) = TrainingTime(modelDir);
        return new ScoredModel(evaluation with
        {
            Parameters = model.TrainedParameters, TrainSeconds = seconds, TokensPerSecond = tokensPerSecond,
            StepTokensPerSecond = stepTokensPerSecond,
            Loss = model.Config.Loss.ToString().ToLowerInvariant(),
            Targets = model.Config.IsRegression ? model.Config.Targets : null,
        }, examples);
    }

    private static ModelEvaluation ScoreRegression(TrainedModel model, int[] ids, ScoringOptions options,
        Func<MetricsAccumulator> newMetrics, Dictionary<int, TokenPrediction> examples, Action<double>? progress)
    {
        int n = ids.Length - 1, dim = model.Config.OutputSize;
        var outputs = new float[(long)n * dim];
        var head = new Stopwatch();
        StreamRunner.Run(model, ids.AsSpan(0, n), (features, start) =>
        {
            head.Start();
            var output = model.Head(features).contiguous();                          // [T, m]
            var values = output.data<float>();
            head.Stop();
            values.CopyTo(outputs, start * dim);
        }, p => progress?.Invoke(0.4 * p));

        var logProbs = model.Config.Loss == LossKind.Sampled ? TargetLogProbabilities(model, outputs, ids) : null;
        var main = model.RuleFor(options.Rule, options.Beta);
        var rules = RulesOf(model).Select(r => r.Kind == main.Kind ? main : r).ToList();
        if (rules.All(r => r.Kind != main.Kind)) rules.Add(main);
        var hnsw = model.HnswTargets;
        bool exact = options.Exact ?? DecoderChoice.ExactIsFaster(model.DecodeCount);
        var rows = new List<RuleEvaluation>();
        ModelEvaluation? headline = null;
        for (int r = 0; r < rules.Count; r++)
        {
            var exactHits = DecodeTimed(new RuleDecoder(model.ExactTargets!, rules[r]), outputs, n, dim, out double exactSeconds);
            var hnswHits = DecodeTimed(new RuleDecoder(hnsw, rules[r], candidates: options.Ef, knownWords: model.KnownWordsFor(rules[r])), outputs, n, dim, out double hnswSeconds);
            int agree = 0;
            for (int t = 0; t < n; t++) if (exactHits[t][0].Id == hnswHits[t][0].Id) agree++;
            var hits = exact ? exactHits : hnswHits;
            var metrics = newMetrics();
            var tally = rules[r] == main ? options.Open?.Bands.NewTally() : null;
            for (int t = 0; t < n; t++)
            {
                // Closed figures count in the training vocabulary (a decoded word it lacks is <unk>); open ones by the string.
                var p = new TokenPrediction(ids[t + 1], hits[t].Select(h => model.ModelIdOf(h.Id)).ToArray(),
                                            hits[t].Select(h => h.Cosine).ToArray(), logProbs?[t],
                                            model.DecodeVocabulary is null ? null : hits[t].Select(h => model.WordOf(h.Id)).ToArray());
                metrics.Add(p);
                tally?.Add(options.Open!.Value.Surface[t + 1], hits[t].Select(h => model.WordOf(h.Id)));
                if (rules[r] == main && options.ExamplePositions.Contains(t)) examples[t] = p;
            }
            var m = metrics.Result();
            rows.Add(new RuleEvaluation
            {
                Rule = rules[r].Name, Top1 = m.Top1, Top5 = m.Top5, NearMiss = m.NearMiss, MeanCosine = m.MeanCosine,
                DecodeMicrosHnsw = hnswSeconds * 1e6 / n, DecodeMicrosExact = exactSeconds * 1e6 / n, HnswAgreement = (double)agree / n,
            });
            var row = rows[^1];
            if (rules[r] == main)
                headline = ModelEvaluation.From(m) with
                {
                    Rule = row.Rule, Decoder = exact ? "exact" : "hnsw", DecodeMicrosHnsw = row.DecodeMicrosHnsw, DecodeMicrosExact = row.DecodeMicrosExact,
                    HnswAgreement = row.HnswAgreement,
                    OutputMicros = head.Elapsed.TotalMicroseconds / n + (exact ? row.DecodeMicrosExact : row.DecodeMicrosHnsw),
                    OpenVocab = tally?.Result(),
                };
            progress?.Invoke(0.4 + 0.6 * (r + 1) / rules.Count);
        }
        return headline! with { Rules = rows };
    }

    /// <summary>
    /// ln p(next word) at every position for a head that defines a distribution over the words (the sampled loss's
    /// softmax over ŷ·e(w) + ln p(w)), so its perplexity is reported beside softmax's.
    /// </summary>
    private static double[] TargetLogProbabilities(TrainedModel model, float[] outputs, int[] ids)
    {
        int n = ids.Length - 1, dim = model.Config.OutputSize;
        using var loss = new SampledLoss(model.Targets!, model.Decoding!.Counts);
        var result = new double[n];
        // Positions per pass: 2,048 at Brown's size; at a million words 64, so the logits stay at 256 MB (one pass of
        // 2,048 there held 8 GB of logits and 17.5 GB at the peak).
        int chunk = (int)Math.Clamp((1L << 26) / Math.Max(1, model.Targets!.Count), 1, 2048);
        for (int first = 0; first < n; first += chunk)
        {
            int count = Math.Min(chunk, n - first);
            using var output = tensor(outputs.AsSpan(first * dim, count * dim).ToArray(), count, dim);
            using var targets = tensor(ids.AsSpan(first + 1, count).ToArray().Select(i => (long)i).ToArray());
            var logp = loss.TargetLogProbabilities(output, targets);
            for (int i = 0; i < count; i++) result[first + i] = logp[i];
        }
        return result;
    }

    /// <summary>Every rule the model has fitted: cosine, the prior and the posterior, CSLS (with hubness); the chosen rule replaces its kind.</summary>
    private static IEnumerable<DecodingRule> RulesOf(TrainedModel model)
    {
        yield return DecodingRule.Cosine();
        if (model.Decoding?.Beta is not null) yield return model.RuleFor(RuleKind.Prior);
        if (model.Decoding?.PosteriorBeta is not null) yield return model.RuleFor(RuleKind.Posterior);
        if (model.Decoding?.Hubness is not null) yield return model.RuleFor(RuleKind.Csls);
    }

    private static ModelEvaluation ScoreSoftmax(TrainedModel model, int[] ids, ScoringOptions options,
        MetricsAccumulator metrics, Dictionary<int, TokenPrediction> examples, Action<double>? progress)
    {
        int n = ids.Length - 1;
        var output = new Stopwatch();
        var tally = options.Open?.Bands.NewTally();
        StreamRunner.Run(model, ids.AsSpan(0, n), (features, start) =>
        {
            int length = (int)features.shape[0];
            output.Start();
            var logp = nn.functional.log_softmax(model.Head(features), 1);          // [T, V]
            var (values, indexes) = logp.topk(Ranked, dim: 1);                               // [T, 5]
            var v = values.exp().data<float>().ToArray();
            var ix = indexes.data<long>().ToArray();
            output.Stop();
            var targets = tensor(ids.AsSpan(start + 1, length).ToArray().Select(i => (long)i).ToArray());
            var trueLogp = logp.gather(1, targets.unsqueeze(1)).squeeze(1).data<float>().ToArray();
            for (int i = 0; i < length; i++)
            {
                var ranked = Enumerable.Range(0, Ranked).Select(j => (int)ix[i * Ranked + j]).ToArray();
                var scores = Enumerable.Range(0, Ranked).Select(j => v[i * Ranked + j]).ToArray();
                var p = new TokenPrediction(ids[start + i + 1], ranked, scores, trueLogp[i]);
                metrics.Add(p);
                tally?.Add(options.Open!.Value.Surface[start + i + 1], ranked.Select(id => model.Vectors.Vocabulary[id]));
                if (options.ExamplePositions.Contains(start + i)) examples[start + i] = p;
            }
        }, progress);
        return ModelEvaluation.From(metrics.Result()) with
        {
            Rule = "softmax", OutputMicros = output.Elapsed.TotalMicroseconds / n, OpenVocab = tally?.Result(),
        };
    }

    /// <summary>Positions decoded on one thread for the timing; the rest, when there are more, on every core.</summary>
    public const int TimedPositions = 20_000;

    /// <summary>
    /// Decodes every output; <paramref name="seconds"/> is the one-thread time scaled to all <paramref name="n"/>
    /// positions, measured on the first <see cref="TimedPositions"/> (a decode vocabulary of 680,000 words makes the
    /// whole test set on one thread take minutes a rule). Decoding is deterministic: the threads change nothing else.
    /// </summary>
    private static Neighbor[][] DecodeTimed(RuleDecoder decoder, float[] outputs, int n, int dim, out double seconds)
    {
        int timed = Math.Min(n, TimedPositions);
        // The garbage of what came before (a rule's decoder sorts a million ids when it is made) is collected now, so a
        // collection it calls for does not fall inside the timed decode.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var first = Timed(() => decoder.DecodeBatch(outputs.AsSpan(0, timed * dim), Ranked, threads: 1), out double firstSeconds);
        seconds = firstSeconds * n / timed;
        if (timed == n) return first;
        var rest = decoder.DecodeBatch(outputs.AsSpan(timed * dim), Ranked);
        return [.. first, .. rest];
    }

    private static T Timed<T>(Func<T> work, out double seconds)
    {
        var clock = Stopwatch.StartNew();
        var result = work();
        seconds = clock.Elapsed.TotalSeconds;
        return result;
    }

    /// <summary>
    /// Wall time and tokens/s of the training, over the wall time and over the steps alone, from the model folder's
    /// state.json (null if absent; the step figure is null for folders written before state.json had it).
    /// </summary>
    private static (double? Seconds, double? TokensPerSecond, double? StepTokensPerSecond) TrainingTime(string modelDir)
    {
        string path = new Checkpoint(modelDir).StatePath;
        if (!File.Exists(path)) return (null, null, null);
        try
        {
            var state = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(path),
                new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });
            if (state is null || state.ElapsedSeconds <= 0) return (null, null, null);
            return (state.ElapsedSeconds, state.TokensTrained / state.ElapsedSeconds,
                state.StepSeconds > 0 ? state.TokensTrained / state.StepSeconds : null);
        }
        catch (JsonException) { return (null, null, null); }
    }
}
