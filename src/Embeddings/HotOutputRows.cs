using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace VecLm.Embeddings;

/// <summary>
/// One training thread's view of the output matrix of negative sampling: its own copies of the rows of the
/// <see cref="Count"/> most frequent words, the shared rows for the rest, found through a table of row addresses (no
/// branch per row). Lock-free threads writing one matrix make every row the other thread wrote since this thread last
/// read it a cache line fetched from the other core; the most frequent words' rows are written by every pair (as
/// targets and as negatives, drawn from unigram^0.75), and on some hosts two threads ran slower than one (4.0 s against
/// 3.2 s on Brown; 2.4 s with every row private). A <see cref="Merge"/> adds this thread's change to its rows since the
/// last merge to the shared rows and takes the shared rows as they then are, so no step is lost; between merges a
/// thread does not see the other threads' steps on its hot rows (a staleness of a few thousand words).
/// </summary>
internal sealed unsafe class HotOutputRows
{
    private readonly float[] _shared, _local, _base;
    private readonly nint[] _rows;
    private readonly int _dim;

    /// <param name="shared">The output matrix, pinned (its rows' addresses are kept).</param>
    public HotOutputRows(float[] shared, int dim, int count)
    {
        _shared = shared;
        _dim = dim;
        Count = Math.Min(count, shared.Length / dim);
        int values = Count * dim;
        _local = GC.AllocateArray<float>(values, pinned: true);
        _base = new float[values];
        lock (shared)   // another thread may be merging: local and base must be the same copy
        {
            shared.AsSpan(0, values).CopyTo(_local);
            _local.AsSpan().CopyTo(_base);
        }
        _rows = new nint[shared.Length / dim];
        for (int id = 0; id < _rows.Length; id++)
            _rows[id] = id < Count ? (nint)Unsafe.AsPointer(ref _local[id * dim]) : (nint)Unsafe.AsPointer(ref shared[id * dim]);
    }

    /// <summary>Rows this thread keeps its own copies of (the words with ids below it).</summary>
    public int Count { get; }

    /// <summary>Row <paramref name="id"/> as this thread reads and writes it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float* Row(int id) => (float*)_rows[id];

    /// <summary>Adds this thread's change to its rows since the last merge to the shared rows, then copies them back.</summary>
    public void Merge()
    {
        int values = Count * _dim;
        lock (_shared)
        {
            var local = _local.AsSpan(0, values);
            var shared = _shared.AsSpan(0, values);
            TensorPrimitives.Subtract(local, _base, local);
            TensorPrimitives.Add(shared, local, shared);
            shared.CopyTo(local);
            shared.CopyTo(_base);
        }
    }

    /// <summary>Rows a thread keeps its own copies of: 16 MB at 64 dimensions, every row of Brown's 17,715.</summary>
    public const int DefaultCount = 65_536;
    /// <summary>
    /// Words a thread trains on between merges. On Brown, merging every 4,096 / 16,384 / 65,536 words gave held-out
    /// quality 0.5350 / 0.5344 / 0.5297 (Hogwild at 2 threads 0.5360) at 1.81 / 2.11 / 2.19 M words/s.
    /// </summary>
    public const int MergeEvery = 8_192;
}
