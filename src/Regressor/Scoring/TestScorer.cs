using System.Diagnostics;
using System.Text.Json;
using VecLm.Decoder;
using VecLm.Embeddings;
using static TorchSharp.torch;

namespace VecLm.Regressor.Scoring;

/// <summary>How <c>veclm eval</c> decodes and what it keeps.</summary>
public sealed record ScoringOptions
{
    /// <summary>Decode regression outputs with HNSW (default) or exact search; both are timed either way.</summary>
    public bool Exact { get; init; }
    public int Ef { get; init; } = 64;
    /// <summary>Positions (indexes of the predicting token) whose top predictions are kept as examples.</summary>
    public IReadOnlySet<int> ExamplePositions { get; init; } = new HashSet<int>();
    public int ExampleWidth { get; init; } = 5;
}

/// <summary>The evaluation of one model, and its predictions at the example positions.</summary>
public sealed record ScoredModel(ModelEvaluation Evaluation, IReadOnlyDictionary<int, TokenPrediction> Examples);

/// <summary>
/// Scores a trained model on a test stream: every position predicts the next token. Regression heads are decoded by
/// cosine through HNSW or exact search (both timed, with their agreement); softmax gives probabilities directly.
/// </summary>
public static class TestScorer
{
    private const int Ranked = 5;

    public static ScoredModel Score(TrainedModel model, int[] ids, ScoringOptions options, string modelDir,
                                    Action<double>? progress = null)
    {
        if (ids.Length < 2) throw new InvalidDataException("the test set needs at least two tokens");
        var vectors = model.Vectors.Normalized();
        var wordIndex = new ExactIndex(vectors.Data, vectors.Dim);
        var metrics = new MetricsAccumulator(vectors, wordIndex, new FrequencyBands(vectors.Vocabulary));
        var examples = new Dictionary<int, TokenPrediction>();
        var evaluation = model.Config.IsRegression
            ? ScoreRegression(model, ids, options, vectors, metrics, examples, progress)
            : ScoreSoftmax(model, ids, options, metrics, examples, progress);
        var (seconds, tokensPerSecond) = TrainingTime(modelDir);
        return new ScoredModel(evaluation with
        {
            Parameters = model.TrainedParameters, TrainSeconds = seconds, TokensPerSecond = tokensPerSecond,
            Loss = model.Config.Loss.ToString().ToLowerInvariant(),
        }, examples);
    }

    private static ModelEvaluation ScoreRegression(TrainedModel model, int[] ids, ScoringOptions options,
        WordVectors unit, MetricsAccumulator metrics, Dictionary<int, TokenPrediction> examples, Action<double>? progress)
    {
        int n = ids.Length - 1, dim = model.Config.OutputSize;
        var outputs = new float[(long)n * dim];
        StreamRunner.Run(model, ids.AsSpan(0, n), (output, start) =>
            output.contiguous().data<float>().CopyTo(outputs, start * dim), p => progress?.Invoke(0.5 * p));

        var exact = new ExactIndex(unit.Data, unit.Dim);
        var clock = Stopwatch.StartNew();
        var exactHits = exact.SearchBatch(outputs, Ranked, threads: 1);
        double exactMicros = clock.Elapsed.TotalMicroseconds / n;
        progress?.Invoke(0.75);
        var hnsw = HnswIndex.Build(unit.Data, unit.Dim, new HnswOptions());
        clock.Restart();
        var hnswHits = hnsw.SearchBatch(outputs, Ranked, options.Ef, threads: 1);
        double hnswMicros = clock.Elapsed.TotalMicroseconds / n;
        int agree = 0;
        for (int t = 0; t < n; t++) if (exactHits[t][0].Id == hnswHits[t][0].Id) agree++;

        var hits = options.Exact ? exactHits : hnswHits;
        for (int t = 0; t < n; t++)
        {
            var p = new TokenPrediction(ids[t + 1], hits[t].Select(h => h.Id).ToArray(), hits[t].Select(h => h.Similarity).ToArray());
            metrics.Add(p);
            if (options.ExamplePositions.Contains(t)) examples[t] = p;
        }
        progress?.Invoke(1);
        return ModelEvaluation.From(metrics.Result()) with
        {
            DecodeMicrosHnsw = hnswMicros, DecodeMicrosExact = exactMicros, HnswAgreement = (double)agree / n,
        };
    }

    private static ModelEvaluation ScoreSoftmax(TrainedModel model, int[] ids, ScoringOptions options,
        MetricsAccumulator metrics, Dictionary<int, TokenPrediction> examples, Action<double>? progress)
    {
        int n = ids.Length - 1;
        StreamRunner.Run(model, ids.AsSpan(0, n), (logits, start) =>
        {
            int length = (int)logits.shape[0];
            var logp = nn.functional.log_softmax(logits, 1);                                  // [T, V]
            var (values, indexes) = logp.topk(Ranked, dim: 1);                               // [T, 5]
            var targets = tensor(ids.AsSpan(start + 1, length).ToArray().Select(i => (long)i).ToArray());
            var trueLogp = logp.gather(1, targets.unsqueeze(1)).squeeze(1).data<float>().ToArray();
            var v = values.exp().data<float>().ToArray();
            var ix = indexes.data<long>().ToArray();
            for (int i = 0; i < length; i++)
            {
                var ranked = Enumerable.Range(0, Ranked).Select(j => (int)ix[i * Ranked + j]).ToArray();
                var scores = Enumerable.Range(0, Ranked).Select(j => v[i * Ranked + j]).ToArray();
                var p = new TokenPrediction(ids[start + i + 1], ranked, scores, trueLogp[i]);
                metrics.Add(p);
                if (options.ExamplePositions.Contains(start + i)) examples[start + i] = p;
            }
        }, progress);
        return ModelEvaluation.From(metrics.Result());
    }

    /// <summary>Wall time and tokens/s of the training, from the model folder's state.json (null if absent).</summary>
    private static (double? Seconds, double? TokensPerSecond) TrainingTime(string modelDir)
    {
        string path = new Checkpoint(modelDir).StatePath;
        if (!File.Exists(path)) return (null, null);
        try
        {
            var state = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(path),
                new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });
            if (state is null || state.ElapsedSeconds <= 0) return (null, null);
            return (state.ElapsedSeconds, state.TokensTrained / state.ElapsedSeconds);
        }
        catch (JsonException) { return (null, null); }
    }
}
