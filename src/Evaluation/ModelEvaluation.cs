using System.Text.Json;
using System.Text.Json.Serialization;

namespace VecLm.Evaluation;

/// <summary>
/// Everything <c>veclm eval</c> reports for one model on one test set; its JSON form (snake_case keys, null where a
/// figure does not apply) is what <c>--json</c> prints and the README documents.
/// </summary>
public sealed record ModelEvaluation
{
    [JsonIgnore] public string Name { get; init; } = "";
    [JsonIgnore] public string Loss { get; init; } = "";
    /// <summary>The regression targets' post-processing (raw, center, abtt:D); "–" for softmax.</summary>
    [JsonPropertyName("targets")] public string? Targets { get; init; }
    /// <summary>The decoding rule the accuracy figures use (a regression head); "softmax" for softmax.</summary>
    [JsonPropertyName("rule")] public string Rule { get; init; } = "";
    /// <summary>The search the accuracy figures decode through: <c>hnsw</c> or <c>exact</c>; null for softmax.</summary>
    [JsonPropertyName("decoder")] public string? Decoder { get; init; }
    [JsonPropertyName("top1")] public double Top1 { get; init; }
    [JsonPropertyName("top5")] public double Top5 { get; init; }
    [JsonPropertyName("perplexity")] public double? Perplexity { get; init; }
    [JsonPropertyName("mean_cosine")] public double MeanCosine { get; init; }
    [JsonPropertyName("near_miss")] public double NearMiss { get; init; }
    [JsonPropertyName("band_top1")] public IReadOnlyDictionary<string, BandMetrics> BandTop1 { get; init; } = new Dictionary<string, BandMetrics>();
    /// <summary>Decode time per token (µs), HNSW and exact; for softmax, null (its output layer is the decoder).</summary>
    [JsonPropertyName("decode_us_hnsw")] public double? DecodeMicrosHnsw { get; init; }
    [JsonPropertyName("decode_us_exact")] public double? DecodeMicrosExact { get; init; }
    /// <summary>Share of test positions where HNSW's top-1 equals exact search's.</summary>
    [JsonPropertyName("hnsw_agreement")] public double? HnswAgreement { get; init; }
    /// <summary>
    /// µs per token from the LSTM's output to a ranked top-5, one thread: softmax: the Linear(H → |V|) head and its
    /// normalisation; regression: the Linear(H → m) head and the decode under <see cref="Rule"/> through
    /// <see cref="Decoder"/>.
    /// </summary>
    [JsonPropertyName("output_us")] public double OutputMicros { get; init; }
    /// <summary>A regression head's figures under every decoding rule it has (empty for softmax).</summary>
    [JsonPropertyName("rules")] public IReadOnlyList<RuleEvaluation> Rules { get; init; } = [];
    [JsonPropertyName("parameters")] public long Parameters { get; init; }
    [JsonPropertyName("train_seconds")] public double? TrainSeconds { get; init; }
    [JsonPropertyName("tokens_per_second")] public double? TokensPerSecond { get; init; }
    /// <summary>Tokens per second of the training steps alone (validation and fitting excluded): the step's speed.</summary>
    [JsonPropertyName("step_tokens_per_second")] public double? StepTokensPerSecond { get; init; }
    [JsonPropertyName("tokens")] public long Tokens { get; init; }
    /// <summary>Open-vocabulary figures (<c>--open-vocab</c>): strict top-1/top-5 against the true word's string, by band.</summary>
    [JsonPropertyName("open_vocab")] public OpenVocabResult? OpenVocab { get; init; }
    /// <summary>The decode vocabulary a regression model was scored with (<c>--decode-vocab</c>), null without one.</summary>
    [JsonPropertyName("decode_vocab")] public DecodeVocabInfo? DecodeVocab { get; init; }

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = false,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static ModelEvaluation From(NextWordMetrics m) => new()
    {
        Top1 = m.Top1, Top5 = m.Top5, Perplexity = m.Perplexity, MeanCosine = m.MeanCosine, NearMiss = m.NearMiss,
        BandTop1 = m.BandTop1, Tokens = m.Tokens,
    };
}

/// <summary>
/// A decode vocabulary as used: its words, those the model never had, the boost γ of their prior and, when γ was fitted
/// on validation text, the curve it was chosen from and the ranks of the true unseen words there.
/// </summary>
public sealed record DecodeVocabInfo(
    [property: JsonPropertyName("words")] int Words,
    [property: JsonPropertyName("unseen_words")] int UnseenWords,
    [property: JsonPropertyName("boost")] double Boost,
    [property: JsonPropertyName("boost_curve")] IReadOnlyList<BackoffPoint> BoostCurve,
    [property: JsonPropertyName("unseen_rank")] UnseenRanks? UnseenRank = null);
