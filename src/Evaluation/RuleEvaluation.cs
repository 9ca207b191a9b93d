using System.Text.Json.Serialization;

namespace VecLm.Evaluation;

/// <summary>
/// A regression model's scores under one decoding rule (cosine, prior, posterior, CSLS), on the same predictions: the accuracy
/// figures through the decoder the evaluation used (HNSW by default), the decode cost of both decoders per token
/// (one thread) and how often HNSW's top-1 equals the exact rule's.
/// </summary>
public sealed record RuleEvaluation
{
    [JsonPropertyName("rule")] public string Rule { get; init; } = "";
    [JsonPropertyName("top1")] public double Top1 { get; init; }
    [JsonPropertyName("top5")] public double Top5 { get; init; }
    [JsonPropertyName("near_miss")] public double NearMiss { get; init; }
    [JsonPropertyName("mean_cosine")] public double MeanCosine { get; init; }
    [JsonPropertyName("decode_us_hnsw")] public double DecodeMicrosHnsw { get; init; }
    [JsonPropertyName("decode_us_exact")] public double DecodeMicrosExact { get; init; }
    [JsonPropertyName("hnsw_agreement")] public double HnswAgreement { get; init; }
}
