namespace VecLm.Decoder;

/// <summary>
/// One hit of a biased search or a <see cref="RuleDecoder"/>: the stored vector's id, its cosine similarity to the
/// query, and the score it was ranked by, <c>Score = Cosine + bias[Id]</c> (the cosine itself under no bias).
/// </summary>
public readonly record struct ScoredNeighbor(int Id, float Cosine, float Score);
