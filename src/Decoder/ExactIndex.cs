using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VecLm.Decoder;

/// <summary>
/// Brute-force cosine search: every stored unit vector against the query with the SIMD dot product. The reference
/// every recall figure is measured against. A batch is a blocked matrix product (a block of queries against a
/// cache-sized block of rows), blocks of queries spread over the cores.
/// </summary>
public sealed unsafe class ExactIndex : IVectorIndex
{
    private const int QueryBlock = 16;
    private const int RowBlock = 1024;
    private readonly float[] _data;   // pinned, normalised
    private readonly float* _vectors;

    /// <summary>Indexes <paramref name="vectors"/> (row-major, <c>count × dim</c>); a normalised copy is kept.</summary>
    public ExactIndex(ReadOnlySpan<float> vectors, int dim)
    {
        if (dim < 1) throw new ArgumentException($"dimension must be positive (got {dim})");
        if (vectors.Length % dim != 0) throw new ArgumentException($"{vectors.Length} values are not rows of {dim}");
        Dim = dim;
        Count = vectors.Length / dim;
        _data = DotProduct.Normalized(vectors, dim);
        _vectors = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_data));
    }

    public int Count { get; }
    public int Dim { get; }

    /// <summary>Threads used by <see cref="SearchBatch"/> (−1: all cores).</summary>
    public int Threads { get; set; } = -1;

    public Neighbor[] Search(ReadOnlySpan<float> query, int k) => SearchBatch(query, k, threads: 1)[0];

    public Neighbor[][] SearchBatch(ReadOnlySpan<float> queries, int k) => SearchBatch(queries, k, Threads);

    public Neighbor[][] SearchBatch(ReadOnlySpan<float> queries, int k, int threads)
    {
        if (queries.Length % Dim != 0) throw new ArgumentException($"{queries.Length} values are not rows of {Dim}");
        if (k < 1) throw new ArgumentException($"k must be at least 1 (got {k})");
        int n = queries.Length / Dim;
        var normalized = DotProduct.Normalized(queries, Dim);
        var results = new Neighbor[n][];
        int blocks = (n + QueryBlock - 1) / QueryBlock;
        if (blocks <= 1 || threads == 1)
        {
            for (int b = 0; b < blocks; b++) SearchBlock(normalized, b, n, k, results);
        }
        else
        {
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads },
                         b => SearchBlock(normalized, b, n, k, results));
        }
        return results;
    }

    /// <summary>
    /// Queries <c>b·16 … b·16+15</c> against all rows, 1,024 rows at a time so a row block stays in cache while
    /// every query of the block passes over it; each query keeps its k best in a heap (worst on top).
    /// </summary>
    private void SearchBlock(float[] queries, int block, int n, int k, Neighbor[][] results)
    {
        int first = block * QueryBlock, count = Math.Min(QueryBlock, n - first), dim = Dim;
        var heaps = new NodeHeap<FarthestFirst>[count];
        for (int j = 0; j < count; j++) heaps[j] = NodeHeap.Farthest(k + 1);
        fixed (float* q0 = &queries[first * dim])
        {
            for (int r0 = 0; r0 < Count; r0 += RowBlock)
            {
                int r1 = Math.Min(Count, r0 + RowBlock);
                for (int j = 0; j < count; j++)
                {
                    float* q = q0 + j * dim;
                    var heap = heaps[j];
                    for (int r = r0; r < r1; r++)
                    {
                        // Distance −cosine: the heap orders by it, ties by id, as the HNSW results.
                        float d = -DotProduct.Dot(q, _vectors + (long)r * dim, dim);
                        if (heap.Count < k) heap.Push(d, r);
                        else if (Candidate.Closer(new Candidate(d, r), heap.Top))
                        {
                            heap.Pop();
                            heap.Push(d, r);
                        }
                    }
                }
            }
        }
        for (int j = 0; j < count; j++)
        {
            var heap = heaps[j];
            var hits = new Neighbor[heap.Count];
            for (int i = hits.Length - 1; i >= 0; i--)
            {
                var c = heap.Pop();
                hits[i] = new Neighbor(c.Id, -c.Distance);
            }
            results[first + j] = hits;
        }
    }
}
