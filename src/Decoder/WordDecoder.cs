using VecLm.Embeddings;

namespace VecLm.Decoder;

/// <summary>
/// Maps vectors back to words through an <see cref="IVectorIndex"/> over a <see cref="WordVectors"/> (ids are
/// vocabulary ids): the nearest words of a vector, of a word (itself excluded, as word2vec's <c>distance</c>),
/// and gensim's <c>most_similar(positive, negative)</c> for analogies. Hits are <see cref="Neighbor"/>s; a hit's word
/// is <c>Vectors.Vocabulary[hit.Id]</c> (<see cref="Word"/>).
/// </summary>
public sealed class WordDecoder
{
    public WordDecoder(WordVectors vectors, IVectorIndex index)
    {
        if (index.Count != vectors.Count || index.Dim != vectors.Dim)
            throw new ArgumentException($"the index holds {index.Count} vectors of dimension {index.Dim}, the vocabulary "
                                        + $"{vectors.Count} of dimension {vectors.Dim}");
        Vectors = vectors;
        Index = index;
    }

    public WordVectors Vectors { get; }
    public IVectorIndex Index { get; }

    /// <summary>The <paramref name="k"/> words nearest to <paramref name="vector"/>, nearest first.</summary>
    public Neighbor[] Decode(ReadOnlySpan<float> vector, int k) => ToWords(Index.Search(vector, k), k, NoExclusions);

    /// <summary>A batch (row-major); result[i] answers row i.</summary>
    public Neighbor[][] DecodeBatch(ReadOnlySpan<float> vectors, int k)
    {
        var hits = Index.SearchBatch(vectors, k);
        for (int i = 0; i < hits.Length; i++) hits[i] = ToWords(hits[i], k, NoExclusions);
        return hits;
    }

    private static readonly HashSet<int> NoExclusions = [];

    /// <summary>The words nearest to <paramref name="word"/>, the word itself left out.</summary>
    public Neighbor[] Nearest(string word, int k) => MostSimilar([word], [], k);

    /// <summary>
    /// gensim's most_similar: the mean of the words' unit vectors, +1 for positive and −1 for negative words, then
    /// its nearest words, the input words left out (king − man + woman ≈ queen).
    /// Unknown words: <see cref="KeyNotFoundException"/> naming them.
    /// </summary>
    public Neighbor[] MostSimilar(IReadOnlyList<string> positive, IReadOnlyList<string> negative, int k)
    {
        if (k < 1) throw new BadInputException($"k must be at least 1 (got {k})");
        if (positive.Count + negative.Count == 0) throw new BadInputException("no words given");
        var unknown = positive.Concat(negative).Where(w => !Vectors.Vocabulary.Contains(w)).Distinct().ToList();
        if (unknown.Count > 0)
            throw new KeyNotFoundException($"not in the vocabulary: {string.Join(", ", unknown)}");
        int dim = Vectors.Dim;
        var mean = new float[dim];
        var unit = new float[dim];
        var exclude = new HashSet<int>();
        foreach (var (words, sign) in new[] { (positive, 1f), (negative, -1f) })
        {
            foreach (var word in words)
            {
                Vectors.Vocabulary.TryGetId(word, out int id);
                exclude.Add(id);
                Vectors[id].CopyTo(unit);
                VectorMath.Normalize(unit);
                for (int j = 0; j < dim; j++) mean[j] += sign * unit[j];
            }
        }
        VectorMath.Normalize(mean);
        var hits = Index.Search(mean, Math.Min(k + exclude.Count, Index.Count));
        return ToWords(hits, k, exclude);
    }

    /// <summary>The word of a hit.</summary>
    public string Word(Neighbor hit) => Vectors.Vocabulary[hit.Id];

    private static Neighbor[] ToWords(Neighbor[] hits, int k, HashSet<int> exclude)
    {
        if (exclude.Count == 0 && hits.Length <= k) return hits;   // the common case, without LINQ's per-query cost
        return hits.Where(h => !exclude.Contains(h.Id)).Take(k).ToArray();
    }
}
