using VecLm.Decoder;
using VecLm.Embeddings;

namespace VecLm.Evaluation;

/// <summary>
/// Sums the next-word metrics over test positions: top-1 and top-5 accuracy, perplexity (where the model gives
/// probabilities), the mean cosine between the predicted word's vector and the true word's, the near-miss rate
/// (of the wrong top-1 predictions, the share that is among the 10 nearest neighbours of the true word, by the
/// word vectors) and top-1 by frequency band.
/// </summary>
public sealed class MetricsAccumulator(WordVectors unitVectors, NearMissNeighbours neighbours, FrequencyBands bands)
{
    public const int NearMissNeighbours = 10;

    /// <summary>An accumulator with its own neighbour table over <paramref name="wordIndex"/>.</summary>
    public MetricsAccumulator(WordVectors unitVectors, IVectorIndex wordIndex, FrequencyBands bands)
        : this(unitVectors, new NearMissNeighbours(unitVectors, wordIndex), bands) { }

    private readonly long[] _bandTokens = new long[FrequencyBands.Names.Length];
    private readonly long[] _bandCorrect = new long[FrequencyBands.Names.Length];
    private long _tokens, _top1, _top5, _wrong, _nearMiss, _logProbTokens;
    private double _cosineSum, _negLogProbSum;

    public void Add(TokenPrediction p)
    {
        _tokens++;
        bool right = p.Top1 == p.TrueId;
        if (right) _top1++;
        for (int r = 0; r < Math.Min(5, p.Ranked.Length); r++)
            if (p.Ranked[r] == p.TrueId) { _top5++; break; }
        int band = bands.Of(p.TrueId);
        _bandTokens[band]++;
        if (right) _bandCorrect[band]++;
        _cosineSum += Simd.Dot(unitVectors[p.Top1], unitVectors[p.TrueId]);
        if (!right)
        {
            _wrong++;
            if (neighbours.Of(p.TrueId).Contains(p.Top1)) _nearMiss++;
        }
        if (p.TrueLogProb is double lp)
        {
            _negLogProbSum -= lp;
            _logProbTokens++;
        }
    }

    public long Tokens => _tokens;

    public NextWordMetrics Result() => new()
    {
        Tokens = _tokens,
        Top1 = Ratio(_top1, _tokens),
        Top5 = Ratio(_top5, _tokens),
        Perplexity = _logProbTokens == 0 ? null : Math.Exp(_negLogProbSum / _logProbTokens),
        MeanCosine = _tokens == 0 ? 0 : _cosineSum / _tokens,
        NearMiss = Ratio(_nearMiss, _wrong),
        BandTop1 = FrequencyBands.Names.Select((name, b) => (name, b))
            .ToDictionary(x => x.name, x => new BandMetrics(_bandTokens[x.b], Ratio(_bandCorrect[x.b], _bandTokens[x.b]))),
    };

    private static double Ratio(long a, long b) => b == 0 ? 0 : (double)a / b;
}

/// <summary>Accuracy within one frequency band, and how many test tokens fell in it.</summary>
public sealed record BandMetrics(
    [property: System.Text.Json.Serialization.JsonPropertyName("tokens")] long Tokens,
    [property: System.Text.Json.Serialization.JsonPropertyName("top1")] double Top1);

/// <summary>The accuracy figures of one model on one test set.</summary>
public sealed record NextWordMetrics
{
    public long Tokens { get; init; }
    public double Top1 { get; init; }
    public double Top5 { get; init; }
    public double? Perplexity { get; init; }
    public double MeanCosine { get; init; }
    public double NearMiss { get; init; }
    public IReadOnlyDictionary<string, BandMetrics> BandTop1 { get; init; } = new Dictionary<string, BandMetrics>();
}
