using System.Numerics.Tensors;

namespace VecLm.Embeddings;

/// <summary>
/// One training thread's own copies of the rows every thread writes most often — the most frequent words' rows, which
/// are targets, negatives and contexts many times a sentence — merged into the shared matrix every few thousand words.
/// Lock-free threads (Hogwild) writing the same cache lines make each line travel between cores on every write; with
/// a small vocabulary most writes go to a few hundred rows, and two threads ran no faster than one. Between merges a
/// thread does not see the other threads' steps on these rows (a bounded staleness, as in Hogwild itself); a merge adds
/// this thread's change since the last merge to the shared row and takes the shared row as it then is.
/// </summary>
internal sealed class HotRows
{
    private readonly float[] _shared;
    private readonly int _dim;
    private readonly int[] _rowOfSlot;
    private readonly float[] _local, _base, _delta;

    /// <param name="shared">The matrix the threads share.</param>
    /// <param name="rowOfSlot">Which row of it each private slot copies.</param>
    public HotRows(float[] shared, int dim, int[] rowOfSlot)
    {
        _shared = shared;
        _dim = dim;
        _rowOfSlot = rowOfSlot;
        _local = new float[rowOfSlot.Length * dim];
        _base = new float[rowOfSlot.Length * dim];
        _delta = new float[dim];
        for (int s = 0; s < rowOfSlot.Length; s++)
        {
            Shared(s).CopyTo(_local.AsSpan(s * dim, dim));
            Shared(s).CopyTo(_base.AsSpan(s * dim, dim));
        }
    }

    public int Count => _rowOfSlot.Length;

    /// <summary>This thread's copy of slot <paramref name="slot"/>.</summary>
    public Span<float> Slot(int slot) => _local.AsSpan(slot * _dim, _dim);

    /// <summary>Adds this thread's change since the last merge to the shared rows, then copies the shared rows.</summary>
    public void Merge()
    {
        for (int s = 0; s < _rowOfSlot.Length; s++)
        {
            var local = _local.AsSpan(s * _dim, _dim);
            var start = _base.AsSpan(s * _dim, _dim);
            var shared = Shared(s);
            TensorPrimitives.Subtract(local, start, _delta);
            TensorPrimitives.Add(shared, _delta, shared);
            shared.CopyTo(local);
            shared.CopyTo(start);
        }
    }

    private Span<float> Shared(int slot) => _shared.AsSpan((int)((long)_rowOfSlot[slot] * _dim), _dim);

    /// <summary>
    /// The slots of a word-level matrix: the <paramref name="count"/> most frequent words (ids 0.., the vocabulary is
    /// sorted by count), slot = id.
    /// </summary>
    public static int[] FirstRows(int count) => Enumerable.Range(0, count).ToArray();

    /// <summary>
    /// For a subword model: the distinct input rows of the <paramref name="words"/> most frequent words become slots,
    /// and every word's rows are rewritten so a hot row reads <c>~slot</c> (negative) and the rest stay row numbers.
    /// </summary>
    public static (int[] RowOfSlot, int[][] Encoded) SubwordRows(int[][] rows, int words)
    {
        var slotOf = new Dictionary<int, int>();
        var rowOfSlot = new List<int>();
        for (int w = 0; w < Math.Min(words, rows.Length); w++)
            foreach (int r in rows[w])
                if (slotOf.TryAdd(r, rowOfSlot.Count)) rowOfSlot.Add(r);
        var encoded = rows.Select(list => list.Select(r => slotOf.TryGetValue(r, out int s) ? ~s : r).ToArray()).ToArray();
        return (rowOfSlot.ToArray(), encoded);
    }
}
