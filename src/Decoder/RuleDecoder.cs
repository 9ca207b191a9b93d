using VecLm.Embeddings;

namespace VecLm.Decoder;

/// <summary>
/// Decodes vectors to word ids under a <see cref="DecodingRule"/>: the k words of largest
/// <c>cos(query, t(w)) + bias[w]</c>, best first, ties by smaller id. Thread-safe (nothing changes after construction).
/// <para>
/// Over an <see cref="ExactIndex"/> the result is exact: every word is scored, the bias added inside the blocked
/// kernel. Over any other index (HNSW) it is an approximation: the <c>max(k, candidates)</c> nearest words by cosine
/// (HNSW searches them with that number as its ef, so <c>candidates</c> is <c>--ef</c>) are rescored by cosine + bias, together with two blocks
/// of words scored exactly for every query (<see cref="ScoredBlock"/>): the <c>biasCandidates</c> words of largest
/// bias, and the <c>knownWords</c> given (the words the model is known to decode to: its shortlist, else its most
/// frequent words); the best k are kept. A word outside all three sets (a middling cosine and a middling bias whose sum
/// still wins, or a near word HNSW missed) is lost; the overload of
/// <see cref="Decode(ReadOnlySpan{float}, int, out bool)"/> reports when that cannot have happened.
/// </para>
/// <para>
/// HNSW's layer-0 search is also entered at seeds: each block's <see cref="Seeds"/> best words under the rule. A model's
/// prediction is a hub-like query whose answers lie near the words it predicts often, and the greedy descent alone
/// sometimes brings it to the wrong part of the graph. At a million words (bench/vocab-sweep's models, 2,327 test
/// predictions, ef 64, one thread, 2026-12-04), the cosine model's plain cosine agreed with exact decoding at 0.978
/// with neither block, 0.994 with the most frequent words as known words, 1.000 with its shortlist (the sampled
/// model's: 0.973 → 1.000), and its CSLS at 0.997 (seeds nearest the query by cosine and a shortlist of 1,329 words:
/// 0.972).
/// </para>
/// </summary>
public sealed class RuleDecoder
{
    private readonly ExactIndex? _exact;
    private readonly ScoredBlock? _biasBlock;   // the words of largest bias, largest first, ties by smaller id
    private readonly float _biasOutside;        // the largest bias of a word outside _biasBlock (−∞: none)
    private readonly ScoredBlock? _knownBlock;  // the known words

    /// <summary>
    /// How many words of largest bias an approximate index's decoder scores exactly by default. Scored as a block by
    /// the exact kernel (about 20 µs a query for 2,048 rows with their bias, 2026-12-03), they give the prior rule's
    /// frequent words their exact scores wherever HNSW's cosine candidates miss them: at a million words the cosine
    /// model's prior agreed with exact decoding at 0.999 (0.981 with 256 words scored one by one).
    /// </summary>
    public const int DefaultBiasCandidates = 2048;

    /// <summary>How many of each block's best words a query's HNSW search is entered at, besides the descent's entry.</summary>
    public const int Seeds = 8;

    /// <summary>
    /// A decoder over <paramref name="index"/>. <paramref name="knownWords"/> (distinct ids; null: none) are scored
    /// exactly and seed the search of an approximate index, as the words of largest bias are.
    /// </summary>
    public RuleDecoder(IVectorIndex index, DecodingRule rule, int candidates = 64, int biasCandidates = DefaultBiasCandidates,
                       IReadOnlyList<int>? knownWords = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.Bias is { } b && b.Length != index.Count)
            throw new ArgumentException($"the rule's bias has {b.Length} values, the index {index.Count} vectors");
        if (candidates < 1) throw new ArgumentException($"candidates must be at least 1 (got {candidates})");
        if (biasCandidates < 0) throw new ArgumentException($"biasCandidates must not be negative (got {biasCandidates})");
        Index = index;
        Rule = rule;
        Candidates = candidates;
        BiasCandidates = biasCandidates;
        _exact = index as ExactIndex;
        _biasOutside = float.NegativeInfinity;
        if (_exact is not null) return;
        if (rule.Bias is { } bias)
        {
            var order = Enumerable.Range(0, bias.Length).ToArray();
            Array.Sort(order, (x, y) => bias[x] != bias[y] ? bias[y].CompareTo(bias[x]) : x.CompareTo(y));
            int size = Math.Min(biasCandidates, order.Length);
            if (size < order.Length) _biasOutside = bias[order[size]];
            if (size > 0) _biasBlock = new ScoredBlock(index, order[..size], rule);
        }
        if (knownWords is { Count: > 0 })
        {
            if (knownWords.Distinct().Count() != knownWords.Count) throw new ArgumentException("the known words repeat an id");
            _knownBlock = new ScoredBlock(index, [.. knownWords], rule);
        }
    }

    public IVectorIndex Index { get; }
    public DecodingRule Rule { get; }
    /// <summary>How many words nearest by cosine are rescored (at least k), for an approximate index: HNSW's ef.</summary>
    public int Candidates { get; }
    /// <summary>How many words of largest bias are always rescored, for an approximate index.</summary>
    public int BiasCandidates { get; }

    /// <summary>The <paramref name="k"/> best words for <paramref name="query"/> (any length, normalised here).</summary>
    public Neighbor[] Decode(ReadOnlySpan<float> query, int k) => Decode(query, k, out _);

    /// <summary>
    /// As <see cref="Decode(ReadOnlySpan{float}, int)"/>; <paramref name="certified"/> tells whether the answer is
    /// provably the exact one, given that the index's cosine candidates are the true nearest words: any word left
    /// unscored has cosine ≤ the lowest candidate cosine and bias ≤ the largest bias outside the bias set, and the
    /// k-th score beats that sum. Always true over an <see cref="ExactIndex"/>, when every word was scored, and for a
    /// rule without bias (then the proviso, HNSW's recall, is the only approximation).
    /// </summary>
    public Neighbor[] Decode(ReadOnlySpan<float> query, int k, out bool certified)
    {
        if (k < 1) throw new ArgumentException($"k must be at least 1 (got {k})");
        if (query.Length != Index.Dim)
            throw new ArgumentException($"the query has {query.Length} values, the index's vectors {Index.Dim}");
        certified = true;
        if (_exact is not null) return _exact.SearchBatch(query, k, 1, Rule.Bias, Rule.ByLength)[0];
        if (Index.Count == 0) return [];
        var unit = query.ToArray();
        float length = VectorMath.Normalize(unit);
        var (fromBias, fromKnown, seeds) = Blocks(query, unit, k, 1);
        return Approximate(unit, length, k, fromBias?[0], fromKnown?[0], seeds[0], out certified);
    }

    /// <summary>
    /// Each block's best max(k, <see cref="Seeds"/>) under the rule for every row (null without the block), and the
    /// seeds of every row: the first <see cref="Seeds"/> of each. A seed is a place to start near the query, and a
    /// word the rule ranks high lies near it: at a million words, seeding from the blocks' nearest words by cosine
    /// instead (a second pass over each block with a bias) gave the same agreement under every rule, 2026-12-04.
    /// </summary>
    private (Neighbor[][]? FromBias, Neighbor[][]? FromKnown, int[][] Seeds) Blocks(ReadOnlySpan<float> raw, float[] units, int k,
                                                                                    int threads)
    {
        int n = units.Length / Index.Dim;
        var fromBias = _biasBlock?.Best(raw, units, Math.Max(k, Seeds), threads);
        var fromKnown = _knownBlock?.Best(raw, units, Math.Max(k, Seeds), threads);
        var seeds = new int[n][];
        for (int i = 0; i < n; i++)
            seeds[i] = [.. (fromBias?[i] ?? []).Take(Seeds).Concat((fromKnown?[i] ?? []).Take(Seeds)).Select(h => h.Id).Distinct()];
        return (fromBias, fromKnown, seeds);
    }

    /// <summary>
    /// The approximate decode of one query (<paramref name="unit"/>, its <paramref name="length"/> before normalising):
    /// HNSW's cosine candidates, the search entered at <paramref name="seeds"/>, rescored and merged with the blocks'
    /// best for this query (<paramref name="fromBias"/>, <paramref name="fromKnown"/>).
    /// </summary>
    private Neighbor[] Approximate(ReadOnlySpan<float> unit, float length, int k, Neighbor[]? fromBias, Neighbor[]? fromKnown,
                                   int[] seeds, out bool certified)
    {
        certified = true;
        float scale = Rule.ByLength ? length : 1f;      // score = scale·cos + bias
        int n = Math.Min(Math.Max(k, Candidates), Index.Count);
        var hits = Index.Search(unit, n, n, seeds);
        var bias = Rule.Bias;
        var top = new TopScores(Math.Min(k, hits.Length + (fromBias?.Length ?? 0) + (fromKnown?.Length ?? 0)));
        // HNSW's hits first, then the blocks' words (exact scores; a word already in is skipped).
        foreach (var h in hits) top.Add(new Neighbor(h.Id, h.Cosine, scale * h.Cosine + (bias?[h.Id] ?? 0f)));
        foreach (var block in (ReadOnlySpan<Neighbor[]?>)[fromBias, fromKnown])
            foreach (var h in block ?? []) top.Add(new Neighbor(h.Id, h.Cosine, scale * h.Cosine + (bias?[h.Id] ?? 0f)));
        var best = top.Sorted();
        if (bias is not null && hits.Length < Index.Count && hits.Length > 0)
        {
            float bound = scale * hits[^1].Cosine + _biasOutside;
            certified = best.Length == k && best[^1].Score > bound;
        }
        return best;
    }

    /// <summary>A batch (row-major); result[i] answers row i. Rows are spread over <paramref name="threads"/> (−1: all).</summary>
    public Neighbor[][] DecodeBatch(ReadOnlySpan<float> queries, int k, int threads = -1)
    {
        if (k < 1) throw new ArgumentException($"k must be at least 1 (got {k})");
        int dim = Index.Dim;
        if (queries.Length % dim != 0)
            throw new ArgumentException($"{queries.Length} query values are not rows of the index's dimension {dim}");
        if (threads == 0 || threads < -1) throw new ArgumentException($"threads must be positive or -1 (got {threads})");
        if (_exact is not null) return _exact.SearchBatch(queries, k, threads, Rule.Bias, Rule.ByLength);
        int n = queries.Length / dim;
        var results = new Neighbor[n][];
        if (n == 0 || Index.Count == 0)
        {
            for (int i = 0; i < n; i++) results[i] = [];
            return results;
        }
        var units = queries.ToArray();
        var lengths = new float[n];
        for (int i = 0; i < n; i++) lengths[i] = VectorMath.Normalize(units.AsSpan(i * dim, dim));
        // The blocks scored for the whole batch at once by the blocked kernel, several queries a pass over their rows:
        // 2,048 rows took 5.2–5.9 µs a query over 2,327 queries, against 10.5–11 µs one query at a time (2026-12-03).
        var (fromBias, fromKnown, seeds) = Blocks(queries, units, k, threads);
        ParallelRows.For(n, threads, i =>
            results[i] = Approximate(units.AsSpan(i * dim, dim), lengths[i], k, fromBias?[i], fromKnown?[i], seeds[i], out _));
        return results;
    }

    /// <summary>
    /// The k best candidates seen so far, kept sorted (highest score first, ties by smaller id) by insertion; a word
    /// already among them is not added again.
    /// </summary>
    private sealed class TopScores(int capacity)
    {
        private readonly Neighbor[] _items = new Neighbor[capacity];
        private int _count;

        public bool Full => _count == _items.Length;
        public Neighbor Worst => _items[_count - 1];

        public void Add(Neighbor candidate)
        {
            if (_items.Length == 0 || (Full && !Better(candidate, Worst))) return;
            for (int j = 0; j < _count; j++) if (_items[j].Id == candidate.Id) return;
            int i = Full ? _count - 1 : _count++;
            while (i > 0 && Better(candidate, _items[i - 1])) { _items[i] = _items[i - 1]; i--; }
            _items[i] = candidate;
        }

        public Neighbor[] Sorted() => _items[.._count];

        private static bool Better(Neighbor a, Neighbor b) => a.Score > b.Score || (a.Score == b.Score && a.Id < b.Id);
    }
}
