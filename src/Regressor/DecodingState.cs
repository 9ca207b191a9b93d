using System.Text.Json;
using System.Text.Json.Serialization;
using VecLm.Decoder;
using VecLm.Embeddings;

namespace VecLm.Regressor;

/// <summary>
/// What a regression model needs to decode beyond its targets, saved as <c>decoding.json</c> in the model folder:
/// the training text's unigram counts (the prior p(w)), the prior weight β fitted on validation predictions after
/// training (with the whole top-1-against-β curve), the same for the posterior rule (the prior against ŷ·t(w)),
/// and each word's CSLS hubness r(w) (the mean cosine of its
/// target to its k nearest validation predictions). Without a validation text only the counts are there and the
/// default rule is plain cosine.
/// </summary>
public sealed record DecodingState
{
    /// <summary>Validation predictions used to fit β and measure hubness (and, each epoch, validation top-1).</summary>
    public const int FitTokens = 50_000;
    /// <summary>
    /// The fits pass exactly over positions × |V| pairs (each rule's β, the hubness, the validation top-1): 50,000
    /// positions at Brown's 17,715 words is 0.9 billion. A larger vocabulary gets fewer positions, so a validation
    /// at 1M words costs seconds, not minutes — never fewer than <see cref="MinFitTokens"/> (top-1 to about ±1 %).
    /// </summary>
    public const long FitPairs = 1_000_000_000;
    public const int MinFitTokens = 2_000;

    /// <summary>The validation predictions the fits use for a vocabulary of <paramref name="vocabularySize"/> words.</summary>
    public static int FitTokensFor(int vocabularySize) =>
        (int)Math.Clamp(FitPairs / Math.Max(1, vocabularySize), MinFitTokens, FitTokens);
    public const int DefaultCslsK = 10;

    [JsonPropertyName("counts")] public long[] Counts { get; init; } = [];
    [JsonPropertyName("beta")] public double? Beta { get; init; }
    /// <summary>Validation top-1 with the fitted β, and with plain cosine (β = 0).</summary>
    [JsonPropertyName("prior_top1")] public double? PriorTop1 { get; init; }
    [JsonPropertyName("cosine_top1")] public double? CosineTop1 { get; init; }
    /// <summary>[β, top-1] for every β tried.</summary>
    [JsonPropertyName("beta_curve")] public double[][]? BetaCurve { get; init; }
    /// <summary>
    /// The posterior rule's fit (<see cref="RuleKind.Posterior"/>: ŷ·t(w) + β·ln p(w), the prediction's length kept):
    /// its β, validation top-1 and curve. Absent in folders written before it existed.
    /// </summary>
    [JsonPropertyName("posterior_beta")] public double? PosteriorBeta { get; init; }
    [JsonPropertyName("posterior_top1")] public double? PosteriorTop1 { get; init; }
    [JsonPropertyName("posterior_curve")] public double[][]? PosteriorCurve { get; init; }
    [JsonPropertyName("fit_tokens")] public long FitTokenCount { get; init; }
    [JsonPropertyName("csls_k")] public int CslsK { get; init; } = DefaultCslsK;
    [JsonPropertyName("hubness")] public float[]? Hubness { get; init; }
    /// <summary>
    /// The words the validation predictions decode to (<see cref="WithShortlist"/>), ascending ids: what an HNSW decode
    /// scores exactly and starts its search from, beside the most frequent words. Absent below
    /// <see cref="DecoderChoice.HnswFrom"/> words (decoded exactly) and in folders written before it existed.
    /// </summary>
    [JsonPropertyName("shortlist")] public int[]? Shortlist { get; init; }

    /// <summary>How many of each validation prediction's best words, under each rule, <see cref="WithShortlist"/> keeps.</summary>
    public const int ShortlistDepth = 20;
    /// <summary>How many of each validation prediction's nearest words <see cref="WithShortlist"/> rescores under CSLS.</summary>
    public const int ShortlistCandidates = 128;
    private const int ShortlistChunk = 2048;
    /// <summary>
    /// The shortlist's exact pass costs positions × |V| pairs: 6 billion, 4–5 s on two cores at any vocabulary from
    /// 120,000 words (6,000 predictions at a million words), never more than <see cref="FitTokens"/> predictions.
    /// </summary>
    public const long ShortlistPairs = 6_000_000_000;

    /// <summary>
    /// The validation predictions <see cref="WithShortlist"/> reads for a vocabulary of <paramref name="vocabularySize"/>
    /// words (0 below <see cref="DecoderChoice.HnswFrom"/>: no shortlist). More than the fits: a rule's answers are
    /// spread over many words, and the test answers the shortlist held at a million words grew from 88 % (2,000
    /// predictions) to 98.7 % (6,000), both at depth 20 for CSLS.
    /// </summary>
    public static int ShortlistTokensFor(int vocabularySize) => DecoderChoice.ExactIsFaster(vocabularySize) ? 0
        : (int)Math.Clamp(ShortlistPairs / Math.Max(1, vocabularySize), FitTokensFor(vocabularySize), FitTokens);
    /// <summary>
    /// ln p(w) per word of a decode vocabulary (<see cref="ForDecodeVocabulary"/>), which the prior and posterior rules
    /// use instead of <see cref="Counts"/> (those stay the training vocabulary's); never saved.
    /// </summary>
    [JsonIgnore] public double[]? LogPriors { get; init; }

    /// <summary>
    /// The rule a loaded model decodes with unless told otherwise: once β is fitted, the prior or the posterior,
    /// whichever did better on validation (the prior on a tie).
    /// </summary>
    [JsonIgnore] public RuleKind DefaultRule =>
        Beta is null ? RuleKind.Cosine
        : PosteriorBeta is not null && PosteriorTop1 > PriorTop1 ? RuleKind.Posterior
        : RuleKind.Prior;

    /// <summary>Counts of every vocabulary id in <paramref name="ids"/>.</summary>
    public static DecodingState FromTokens(ReadOnlySpan<int> ids, int vocabularySize)
    {
        var counts = new long[vocabularySize];
        foreach (int id in ids) counts[id]++;
        return new DecodingState { Counts = counts };
    }

    /// <summary>
    /// The rule of kind <paramref name="kind"/> (default: <see cref="DefaultRule"/>); <paramref name="beta"/> overrides
    /// the fitted β of the prior or the posterior (alone, it means the default rule if that has a β, else the prior).
    /// A rule this state cannot give (a prior without β, CSLS without hubness) is an error.
    /// </summary>
    public DecodingRule Rule(RuleKind? kind = null, double? beta = null)
    {
        var chosen = kind ?? (beta is null || DefaultRule != RuleKind.Cosine ? DefaultRule : RuleKind.Prior);
        switch (chosen)
        {
            case RuleKind.Cosine:
                return DecodingRule.Cosine();
            case RuleKind.Prior or RuleKind.Posterior:
                bool prior = chosen == RuleKind.Prior;
                string name = prior ? "prior" : "posterior";
                double b = beta ?? (prior ? Beta : PosteriorBeta) ?? throw new InvalidDataException(
                    $"this model has no fitted {name} β (train it with --valid) — pass --beta to use the {name}");
                if (!(b >= 0)) throw new BadInputException($"--beta must be ≥ 0 (got {b})");
                if (LogPriors is { } logP) return prior ? DecodingRule.PriorOfLog(logP, b) : DecodingRule.PosteriorOfLog(logP, b);
                return prior ? DecodingRule.Prior(Counts, b) : DecodingRule.Posterior(Counts, b);
            default:
                return Hubness is { } h ? DecodingRule.Csls(h, CslsK)
                    : throw new InvalidDataException("this model has no CSLS hubness (train it with --valid)");
        }
    }

    /// <summary>
    /// β of the prior and of the posterior rule fitted on validation predictions (<paramref name="outputs"/>
    /// row-major, one row per position, <paramref name="truth"/> the true next ids) decoded against
    /// <paramref name="targets"/>, with their curves; the hubness is left as it was (<see cref="WithHubness"/>).
    /// </summary>
    public DecodingState FitRules(ExactIndex targets, ReadOnlySpan<float> outputs, ReadOnlySpan<int> truth, int threads)
    {
        var fit = PriorFit.Fit(targets, outputs, truth, Counts, threads: threads);
        var posterior = PriorFit.Fit(targets, outputs, truth, Counts, threads: threads, byLength: true);
        return this with
        {
            Beta = fit.Beta, PriorTop1 = fit.Top1, CosineTop1 = fit.Curve[0].Top1, FitTokenCount = truth.Length,
            BetaCurve = fit.Curve.Select(c => new[] { c.Beta, c.Top1 }).ToArray(),
            PosteriorBeta = posterior.Beta, PosteriorTop1 = posterior.Top1,
            PosteriorCurve = posterior.Curve.Select(c => new[] { c.Beta, c.Top1 }).ToArray(),
        };
    }

    /// <summary>
    /// The state for decoding over a decode vocabulary whose words have the training-vocabulary ids
    /// <paramref name="modelIds"/> (-1: a word the model never had). A training word keeps its own prior (add-one
    /// smoothed, as the training vocabulary's rule); the others share <c>&lt;unk&gt;</c>'s probability — the training
    /// mass of the rare words — evenly, raised by <c>e^boost</c>. The fitted β are kept; CSLS and the shortlist are not
    /// (measured on the training words).
    /// </summary>
    public DecodingState ForDecodeVocabulary(int[] modelIds, int unknownId, double boost)
    {
        var closed = DecodingRule.LogProbabilities(Counts);
        int outside = modelIds.Count(i => i < 0);
        double unknown = unknownId >= 0 ? closed[unknownId] : closed.Min();
        double backoff = unknown - Math.Log(Math.Max(1, outside)) + boost;
        return this with
        {
            LogPriors = modelIds.Select(i => i >= 0 ? closed[i] : backoff).ToArray(),
            Hubness = null,
            Shortlist = null,
        };
    }

    /// <summary>
    /// The shortlist: every word among the <see cref="ShortlistDepth"/> best of a validation prediction under plain
    /// cosine and under CSLS (with <see cref="Hubness"/>). One exact pass finds each prediction's
    /// <see cref="ShortlistCandidates"/> nearest words; CSLS's best are those rescored (a word of CSLS's best outside
    /// them is missed: CSLS's answers at a million words lay at median rank 13 by cosine). A model's predictions fall on
    /// few words (2,327 test predictions of the 1M-word cosine model of bench/vocab-sweep had 250 distinct nearest
    /// words), so the shortlist holds most test answers, and an HNSW decode scores it exactly. At a million words (that
    /// model, one thread, ef 32, 2026-12-04) the shortlist of 6,000 predictions at depth 20 (6,172 words) held 98.7 %
    /// of CSLS's test answers and took HNSW's agreement with exact decoding under CSLS to 0.992; the top 5 of 2,000
    /// predictions (1,329 words) held 88 % and gave 0.972 at ef 64. Retrained with this shortlist (6,625 words), the
    /// model agreed under CSLS at 0.997 at ef 64 and 0.996 at ef 32 (bench/README.md). Unset below <see cref="DecoderChoice.HnswFrom"/>
    /// words, where decoding is exact. <paramref name="outputs"/> may be more predictions than the rules were fitted on
    /// (<see cref="ShortlistTokensFor"/>).
    /// </summary>
    public DecodingState WithShortlist(ExactIndex targets, ReadOnlySpan<float> outputs, int threads)
    {
        if (DecoderChoice.ExactIsFaster(targets.Count) || outputs.IsEmpty) return this with { Shortlist = null };
        var words = new HashSet<int>();
        // Not the prior and the posterior: their frequent words are scored exactly anyway (RuleDecoder's bias set).
        var csls = Hubness is null ? null : Rule(RuleKind.Csls).Bias;
        int rows = ShortlistChunk * targets.Dim;
        for (int start = 0; start < outputs.Length; start += rows)
        {
            var chunk = outputs.Slice(start, Math.Min(rows, outputs.Length - start));
            foreach (var nearest in targets.SearchBatch(chunk, ShortlistCandidates, threads))
            {
                foreach (var hit in nearest.Take(ShortlistDepth)) words.Add(hit.Id);
                if (csls is null) continue;
                foreach (var hit in nearest.OrderByDescending(h => h.Cosine + csls[h.Id]).ThenBy(h => h.Id).Take(ShortlistDepth))
                    words.Add(hit.Id);
            }
        }
        return this with { Shortlist = [.. words.Order()] };
    }

    /// <summary>Each word's CSLS hubness, measured on the validation predictions the rules were fitted on.</summary>
    public DecodingState WithHubness(ExactIndex targets, ReadOnlySpan<float> outputs, int threads) =>
        this with { Hubness = CslsHubness.Compute(targets, outputs, CslsK, threads) };

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
            || (state.Hubness is { } h && h.Length != vocabularySize) || state.Counts.Any(c => c < 0)
            || (state.Shortlist is { } list && list.Any(id => (uint)id >= (uint)vocabularySize)))
            throw new InvalidDataException($"'{path}' does not match the model's vocabulary of {vocabularySize} words");
        return state;
    }
}
