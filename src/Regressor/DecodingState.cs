using System.Text.Json;
using System.Text.Json.Serialization;
using VecLm.Decoder;
using VecLm.Embeddings;

namespace VecLm.Regressor;

/// <summary>
/// What a regression model needs to decode beyond its targets, saved as <c>decoding.json</c> in the model folder:
/// the training text's unigram counts (the prior p(w)), the prior weight β fitted on validation predictions after
/// training (with the whole top-1-against-β curve), and each word's CSLS hubness r(w) (the mean cosine of its
/// target to its k nearest validation predictions). Without a validation text only the counts are there and the
/// default rule is plain cosine.
/// </summary>
public sealed record DecodingState
{
    /// <summary>Validation predictions used to fit β and measure hubness (and, each epoch, validation top-1).</summary>
    public const int FitTokens = 50_000;
    public const int DefaultCslsK = 10;

    [JsonPropertyName("counts")] public long[] Counts { get; init; } = [];
    [JsonPropertyName("beta")] public double? Beta { get; init; }
    /// <summary>Validation top-1 with the fitted β, and with plain cosine (β = 0).</summary>
    [JsonPropertyName("prior_top1")] public double? PriorTop1 { get; init; }
    [JsonPropertyName("cosine_top1")] public double? CosineTop1 { get; init; }
    /// <summary>[β, top-1] for every β tried.</summary>
    [JsonPropertyName("beta_curve")] public double[][]? BetaCurve { get; init; }
    [JsonPropertyName("fit_tokens")] public long FitTokenCount { get; init; }
    [JsonPropertyName("csls_k")] public int CslsK { get; init; } = DefaultCslsK;
    [JsonPropertyName("hubness")] public float[]? Hubness { get; init; }

    /// <summary>The rule a loaded model decodes with unless told otherwise: the prior once β is fitted.</summary>
    [JsonIgnore] public RuleKind DefaultRule => Beta is null ? RuleKind.Cosine : RuleKind.Prior;

    /// <summary>Counts of every vocabulary id in <paramref name="ids"/>.</summary>
    public static DecodingState FromTokens(ReadOnlySpan<int> ids, int vocabularySize)
    {
        var counts = new long[vocabularySize];
        foreach (int id in ids) counts[id]++;
        return new DecodingState { Counts = counts };
    }

    /// <summary>
    /// The rule of kind <paramref name="kind"/> (default: <see cref="DefaultRule"/>); <paramref name="beta"/> overrides
    /// the fitted β of the prior. A rule this state cannot give (a prior without β, CSLS without hubness) is an error.
    /// </summary>
    public DecodingRule Rule(RuleKind? kind = null, double? beta = null)
    {
        var chosen = kind ?? (beta is null ? DefaultRule : RuleKind.Prior);
        switch (chosen)
        {
            case RuleKind.Cosine:
                return DecodingRule.Cosine();
            case RuleKind.Prior:
                double b = beta ?? Beta ?? throw new InvalidDataException(
                    "this model has no fitted β (train it with --valid) — pass --beta to use the prior");
                if (!(b >= 0)) throw new ArgumentException($"--beta must be ≥ 0 (got {b})");
                return DecodingRule.Prior(Counts, b);
            default:
                return Hubness is { } h ? DecodingRule.Csls(h, CslsK)
                    : throw new InvalidDataException("this model has no CSLS hubness (train it with --valid)");
        }
    }

    /// <summary>
    /// Fits β and measures hubness on validation predictions (<paramref name="outputs"/> row-major, one row per
    /// position, <paramref name="truth"/> the true next ids) decoded against <paramref name="targets"/>.
    /// </summary>
    public DecodingState Fit(ExactIndex targets, ReadOnlySpan<float> outputs, ReadOnlySpan<int> truth, int threads)
    {
        var fit = PriorFit.Fit(targets, outputs, truth, Counts, threads: threads);
        return this with
        {
            Beta = fit.Beta, PriorTop1 = fit.Top1, CosineTop1 = fit.Curve[0].Top1, FitTokenCount = truth.Length,
            BetaCurve = fit.Curve.Select(c => new[] { c.Beta, c.Top1 }).ToArray(),
            Hubness = CslsHubness.Compute(targets, outputs, CslsK, threads),
        };
    }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public void Save(string path) => AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, this, Json));

    public static DecodingState Load(string path, int vocabularySize)
    {
        DecodingState? state;
        try
        {
            state = JsonSerializer.Deserialize<DecodingState>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid decoding state: {e.Message}");
        }
        if (state is null || state.Counts.Length != vocabularySize
            || (state.Hubness is { } h && h.Length != vocabularySize) || state.Counts.Any(c => c < 0))
            throw new InvalidDataException($"'{path}' does not match the model's vocabulary of {vocabularySize} words");
        return state;
    }
}
