namespace VecLm.Decoder;

/// <summary>
/// A fixed set of words that an approximate <see cref="RuleDecoder"/> scores exactly for every query, as one block of
/// the exact kernel: their vectors copied into an <see cref="ExactIndex"/>, their biases under the rule padded as the
/// kernel reads them. The words of largest bias are one such block; the words a model is known to decode to (its
/// shortlist, else its most frequent words) another. Thread-safe (nothing changes after construction).
/// </summary>
internal sealed class ScoredBlock
{
    private readonly ExactIndex _rows;       // row i is word Ids[i]
    private readonly float[]? _bias;         // the rule's bias of row i, padded; null for a rule without bias
    private readonly bool _byLength;

    /// <summary>The block of <paramref name="ids"/> (distinct, each in 0..Count−1 of <paramref name="index"/>).</summary>
    public ScoredBlock(IVectorIndex index, int[] ids, DecodingRule rule)
    {
        if (ids.Length == 0) throw new ArgumentException("a block needs at least one word");
        var rows = new float[ids.Length * index.Dim];
        for (int i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] >= (uint)index.Count) throw new ArgumentException($"word id {ids[i]} is not in 0..{index.Count - 1}");
            index.Vector(ids[i]).CopyTo(rows.AsSpan(i * index.Dim));
        }
        Ids = ids;
        _rows = new ExactIndex(rows, index.Dim);
        if (rule.Bias is { } bias) _bias = _rows.PadBias(ids.Select(id => bias[id]).ToArray());
        _byLength = rule.ByLength;
    }

    /// <summary>The block's word ids, in row order.</summary>
    public int[] Ids { get; }

    /// <summary>
    /// The block's best <paramref name="k"/> words under the rule for each query, exactly: <paramref name="raw"/> rows
    /// for a rule by length, else <paramref name="units"/> (the same rows normalised). Ids are word ids; each
    /// <see cref="Neighbor.Cosine"/> is the word's cosine to the query.
    /// </summary>
    public Neighbor[][] Best(ReadOnlySpan<float> raw, float[] units, int k, int threads) =>
        Mapped(_rows.SearchBatchPadded(_byLength ? raw : units, Math.Min(k, Ids.Length), threads, _bias, _byLength));

    private Neighbor[][] Mapped(Neighbor[][] hits)
    {
        foreach (var row in hits)
            for (int j = 0; j < row.Length; j++) row[j] = row[j] with { Id = Ids[row[j].Id] };
        return hits;
    }
}
