namespace VecLm.Embeddings;

/// <summary>
/// Draws negative words from the unigram distribution raised to 0.75, as word2vec does, with Walker's alias method:
/// exact probabilities, O(1) a draw and a table the size of the vocabulary. word2vec C's 100-million-entry table costs
/// a cache miss per draw and about half its training time; this table stays in cache for any realistic vocabulary.
/// </summary>
public sealed class NegativeSampler
{
    public const double Power = 0.75;

    private readonly Entry[] _entries;

    private readonly record struct Entry(float Probability, int Alias);

    public NegativeSampler(ReadOnlySpan<long> counts, double power = Power)
    {
        int n = counts.Length;
        if (n == 0) throw new ArgumentException("an empty vocabulary has nothing to sample");
        var weights = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) total += weights[i] = Math.Pow(counts[i], power);
        _entries = Build(weights, total);
        Probabilities = weights.Select(w => w / total).ToArray();
    }

    /// <summary>The exact sampling probability of each word (for tests and diagnostics).</summary>
    public IReadOnlyList<double> Probabilities { get; }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public int Sample(ref Lcg random)
    {
        ulong r = random.Next();
        // The high 32 bits pick the entry (multiply-shift, no division), the next 16 the coin.
        int i = (int)(((r >> 32) * (ulong)(uint)_entries.Length) >> 32);
        ref readonly var e = ref _entries[i];
        float u = ((r >> 16) & 0xFFFF) * (1.0f / (1 << 16));
        return u < e.Probability ? i : e.Alias;
    }

    // Vose's stable variant: scaled weights below 1 are topped up by one donor above 1.
    private static Entry[] Build(double[] weights, double total)
    {
        int n = weights.Length;
        var scaled = weights.Select(w => w * n / total).ToArray();
        var entries = new Entry[n];
        var small = new Stack<int>();
        var large = new Stack<int>();
        for (int i = n - 1; i >= 0; i--) (scaled[i] < 1 ? small : large).Push(i);
        while (small.Count > 0 && large.Count > 0)
        {
            int s = small.Pop(), l = large.Pop();
            entries[s] = new Entry((float)scaled[s], l);
            scaled[l] = scaled[l] + scaled[s] - 1;
            (scaled[l] < 1 ? small : large).Push(l);
        }
        while (large.Count > 0) { int l = large.Pop(); entries[l] = new Entry(1f, l); }
        while (small.Count > 0) { int s = small.Pop(); entries[s] = new Entry(1f, s); }
        return entries;
    }
}
