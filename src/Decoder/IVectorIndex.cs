namespace VecLm.Decoder;

/// <summary>
/// One decoded word — the one result type of every search, decoder and model ranking in VecLm: the stored vector's id
/// (the vocabulary id), its cosine similarity to the query, and the score it was ranked by. The score is the cosine
/// itself for plain search; under a decoding rule, the rule's score (cosine plus the rule's bias; ŷ·t(w) plus the bias
/// for the posterior rule); for a softmax head's ranking, the probability (its Cosine is NaN: it has no vectors).
/// </summary>
public readonly record struct Neighbor(int Id, float Cosine, float Score)
{
    /// <summary>A plain search hit, ranked by its cosine.</summary>
    public Neighbor(int id, float cosine) : this(id, cosine, cosine) { }
}

/// <summary>
/// Nearest-neighbour search by cosine over a fixed set of vectors (ids 0..Count-1, the vocabulary's ids).
/// Implementations: the exact brute-force index and HNSW. Searches are safe from many threads at once.
/// </summary>
public interface IVectorIndex
{
    int Count { get; }
    int Dim { get; }

    /// <summary>The <paramref name="k"/> most similar stored vectors, most similar first, ties by smaller id.</summary>
    Neighbor[] Search(ReadOnlySpan<float> query, int k);

    /// <summary>
    /// As <see cref="Search(ReadOnlySpan{float}, int)"/>, given <paramref name="seeds"/>: ids already known to be near
    /// the query, where an approximate index may start its search (HNSW does); an exact one has no use for them.
    /// </summary>
    Neighbor[] Search(ReadOnlySpan<float> query, int k, ReadOnlySpan<int> seeds) => Search(query, k);

    /// <summary>
    /// As <see cref="Search(ReadOnlySpan{float}, int, ReadOnlySpan{int})"/>, an approximate index searching with
    /// <paramref name="breadth"/> candidates (HNSW's ef, at least k); an exact one searches everything anyway.
    /// </summary>
    Neighbor[] Search(ReadOnlySpan<float> query, int k, int breadth, ReadOnlySpan<int> seeds) => Search(query, k);

    /// <summary>
    /// A batch of queries, row-major (<c>queries.Length == n * Dim</c>); result[i] answers row i.
    /// </summary>
    Neighbor[][] SearchBatch(ReadOnlySpan<float> queries, int k);

    /// <summary>
    /// The stored vector of <paramref name="id"/> as the index compares it: the normalised (unit) copy, so a query's
    /// cosine to it is a plain dot product. <see cref="ArgumentOutOfRangeException"/> outside <c>0..Count-1</c>.
    /// </summary>
    ReadOnlySpan<float> Vector(int id);
}
