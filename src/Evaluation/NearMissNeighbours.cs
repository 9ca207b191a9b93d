using VecLm.Decoder;
using VecLm.Embeddings;

namespace VecLm.Evaluation;

/// <summary>
/// Each true word's nearest words by the word vectors (itself left out), the set a wrong guess is a near-miss
/// against. Found once per word and kept, and shared by every <see cref="MetricsAccumulator"/> of one scoring run
/// (one per decoding rule). <see cref="Prepare"/> finds the words of a whole test set in one batch: at a million
/// words one exact search a word took most of an evaluation (2026-12-03: 59% of its samples in a profile), and every
/// rule's accumulator had its own table and its own exact index of the vocabulary (512 MB of fresh pages each).
/// </summary>
public sealed class NearMissNeighbours(WordVectors vectors, IVectorIndex index, int count = MetricsAccumulator.NearMissNeighbours)
{
    private readonly Dictionary<int, HashSet<int>> _sets = [];

    /// <summary>The nearest words of <paramref name="id"/>, searched now unless prepared or asked for before.</summary>
    public HashSet<int> Of(int id)
    {
        if (_sets.TryGetValue(id, out var set)) return set;
        set = ToSet(id, index.Search(vectors[id], count + 1));
        _sets[id] = set;
        return set;
    }

    /// <summary>Searches the sets of <paramref name="ids"/> not yet known, as one batch over <paramref name="threads"/> (−1: all cores).</summary>
    public void Prepare(IEnumerable<int> ids, int threads = -1)
    {
        var missing = ids.Where(id => !_sets.ContainsKey(id)).Distinct().ToArray();
        if (missing.Length == 0) return;
        int dim = vectors.Dim;
        var queries = new float[(long)missing.Length * dim];
        for (int i = 0; i < missing.Length; i++) vectors[missing[i]].CopyTo(queries.AsSpan(i * dim, dim));
        var hits = index is ExactIndex exact ? exact.SearchBatch(queries, count + 1, threads) : index.SearchBatch(queries, count + 1);
        for (int i = 0; i < missing.Length; i++) _sets[missing[i]] = ToSet(missing[i], hits[i]);
    }

    private HashSet<int> ToSet(int id, Neighbor[] hits) =>
        hits.Where(n => n.Id != id).Take(count).Select(n => n.Id).ToHashSet();
}
