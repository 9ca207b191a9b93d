using VecLm.Embeddings;
using System.Globalization;

namespace VecLm.Decoder;

/// <summary>Which decoding rule a <see cref="DecodingRule"/> is.</summary>
public enum RuleKind
{
    /// <summary>Plain cosine: the nearest word.</summary>
    Cosine,
    /// <summary>Cosine plus β times the word's log unigram probability.</summary>
    Prior,
    /// <summary>
    /// The vMF posterior: <c>ŷ·t(w) + β·ln p(w)</c>, the prior weighed against the prediction's length κ = ‖ŷ‖
    /// (equivalently cosine plus <c>β·ln p(w)/‖ŷ‖</c>): a confident prediction leans less on the prior.
    /// </summary>
    Posterior,
    /// <summary>Cross-domain similarity local scaling (Conneau et al. 2018): cosine minus half the word's hubness.</summary>
    Csls,
}

/// <summary>
/// How a predicted vector is decoded to words: <c>score(w) = cos(query, t(w)) + Bias[w]</c> (no bias when
/// <see cref="Bias"/> is null; <c>query·t(w) + Bias[w]</c> for the posterior rule, whose query keeps its length),
/// highest score first, ties by smaller id. Every rule is "similarity plus a per-word bias":
/// <list type="bullet">
/// <item><see cref="RuleKind.Cosine"/>: bias 0.</item>
/// <item><see cref="RuleKind.Prior"/>: bias <c>β·ln p(w)</c>, the unigram prior ignored by plain cosine
/// (<see cref="PriorFit"/> fits β).</item>
/// <item><see cref="RuleKind.Posterior"/>: the prior's bias on <c>ŷ·t(w)</c>: cosine plus <c>β·ln p(w)/‖ŷ‖</c>.</item>
/// <item><see cref="RuleKind.Csls"/>: bias <c>−r_S(w)/2</c>. CSLS(ŷ, w) = 2·cos(ŷ, t(w)) − r_T(ŷ) − r_S(w), where
/// r_S(w) is the mean cosine of t(w) to its k nearest predicted vectors (<see cref="CslsHubness"/>) and r_T(ŷ) is
/// the same for ŷ among the words, constant for a query; halved, the ranking is cos − r_S/2. A hub (a word close to
/// many predictions) is pushed down.</item>
/// </list>
/// <see cref="Beta"/> and <see cref="CslsK"/> only describe the rule (its <see cref="Name"/>); the bias carries it.
/// </summary>
public sealed record DecodingRule(RuleKind Kind, float[]? Bias, double Beta = 0, int CslsK = 10)
{
    /// <summary>Plain cosine: no bias.</summary>
    public static DecodingRule Cosine() => new(RuleKind.Cosine, null);

    /// <summary>
    /// The prior rule: <c>bias = β·ln p(w)</c> with the add-one smoothed unigram probability
    /// <c>p(w) = (count(w) + 1) / (Σcount + |V|)</c>, so a word never seen still has a finite bias.
    /// <paramref name="counts"/> holds one count per vocabulary id.
    /// </summary>
    public static DecodingRule Prior(ReadOnlySpan<long> counts, double beta) => PriorOfLog(LogProbabilities(counts), beta);

    /// <summary>The prior rule over log-probabilities given directly (a decode vocabulary's, with its back-off).</summary>
    public static DecodingRule PriorOfLog(double[] logP, double beta)
    {
        if (!double.IsFinite(beta)) throw new BadInputException($"β must be a finite number (got {beta})");
        var bias = new float[logP.Length];
        for (int w = 0; w < bias.Length; w++) bias[w] = PriorBias(beta, logP[w]);
        return new DecodingRule(RuleKind.Prior, bias, beta);
    }

    /// <summary>
    /// The posterior rule: the prior's bias <c>β·ln p(w)</c> (<see cref="Prior"/>) added to <c>ŷ·t(w)</c>, the query as it
    /// is (<see cref="ByLength"/>), so its length κ = ‖ŷ‖ weighs the prediction against the prior.
    /// </summary>
    public static DecodingRule Posterior(ReadOnlySpan<long> counts, double beta) =>
        Prior(counts, beta) with { Kind = RuleKind.Posterior };

    /// <summary>The posterior rule over log-probabilities given directly.</summary>
    public static DecodingRule PosteriorOfLog(double[] logP, double beta) => PriorOfLog(logP, beta) with { Kind = RuleKind.Posterior };

    /// <summary>Whether the query's length counts (<see cref="RuleKind.Posterior"/>): scores are <c>ŷ·t(w) + bias</c>.</summary>
    public bool ByLength => Kind == RuleKind.Posterior;

    /// <summary>The CSLS rule: <c>bias = −hubness[w] / 2</c>, hubness from <see cref="CslsHubness.Compute"/> with this k.</summary>
    public static DecodingRule Csls(float[] hubness, int k)
    {
        ArgumentNullException.ThrowIfNull(hubness);
        if (k < 1) throw new ArgumentException($"the CSLS neighbourhood k must be at least 1 (got {k})");
        var bias = new float[hubness.Length];
        for (int w = 0; w < bias.Length; w++)
        {
            if (!float.IsFinite(hubness[w])) throw new ArgumentException($"hubness of word {w} is not a finite number ({hubness[w]})");
            bias[w] = -hubness[w] / 2;
        }
        return new DecodingRule(RuleKind.Csls, bias, CslsK: k);
    }

    /// <summary>A short label for tables: <c>cosine</c>, <c>prior β=0.080</c>, <c>csls k=10</c>.</summary>
    public string Name => Kind switch
    {
        RuleKind.Cosine => "cosine",
        RuleKind.Prior => string.Create(CultureInfo.InvariantCulture, $"prior β={Beta:F3}"),
        RuleKind.Posterior => string.Create(CultureInfo.InvariantCulture, $"posterior β={Beta:F3}"),
        RuleKind.Csls => string.Create(CultureInfo.InvariantCulture, $"csls k={CslsK}"),
        _ => Kind.ToString().ToLowerInvariant(),
    };

    /// <summary>The bias of word <paramref name="id"/> (0 without a bias).</summary>
    public float BiasOf(int id) => Bias is null ? 0f : Bias[id];

    /// <summary>
    /// <c>ln p(w)</c>, add-one smoothed, in double. Shared with <see cref="PriorFit"/> so a fitted β ranks exactly as
    /// the rule built from it.
    /// </summary>
    public static double[] LogProbabilities(ReadOnlySpan<long> counts)
    {
        if (counts.IsEmpty) throw new ArgumentException("no word counts given");
        double total = counts.Length;
        for (int w = 0; w < counts.Length; w++)
        {
            if (counts[w] < 0) throw new ArgumentException($"the count of word {w} is negative ({counts[w]})");
            total += counts[w];
        }
        var logP = new double[counts.Length];
        double logTotal = Math.Log(total);
        for (int w = 0; w < counts.Length; w++) logP[w] = Math.Log(counts[w] + 1.0) - logTotal;
        return logP;
    }

    /// <summary>One word's prior bias as the rule stores it: β·ln p in double, rounded once to float.</summary>
    internal static float PriorBias(double beta, double logP) => (float)(beta * logP);
}
