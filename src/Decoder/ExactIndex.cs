using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using VecLm.Embeddings;

namespace VecLm.Decoder;

/// <summary>
/// Brute-force cosine search: every stored unit vector scored against every query, the reference every recall figure
/// is measured against. The rows are kept twice: row-major (for <see cref="Vector"/>) and in blocks of 16 laid out
/// dimension-major for the register-blocked kernels of <see cref="BlockKernel"/> (at <see cref="BlockKernel.Best"/>):
/// four queries at a time pass over a block, one fused multiply-add updating 16 row scores per query, and one vector
/// compare against each query's current k-th best score decides which rows reach its heap. A batch walks the rows
/// in cache-sized tiles and spreads blocks of queries over the cores. Ties go to the smaller id.
/// </summary>
public sealed unsafe partial class ExactIndex : IVectorIndex
{
    private const int QueryBlock = 32;                       // queries per work item of a batch
    private const int RowQuantum = BlockKernel.Rows * BlockKernel.OneQueryBlocks;   // rows are padded to 64
    private readonly float[] _data;                          // pinned, normalised, row-major
    private readonly float[] _blockedData;                   // pinned, normalised, blocks of 16 rows dimension-major
    private readonly float* _blocked;
    private readonly int _blocks;                            // blocks including padding (a multiple of 4)

    /// <summary>Indexes <paramref name="vectors"/> (row-major, <c>count × dim</c>); normalised copies are kept.</summary>
    public ExactIndex(ReadOnlySpan<float> vectors, int dim)
    {
        if (dim < 1) throw new ArgumentException($"dimension must be positive (got {dim})");
        if (vectors.Length % dim != 0) throw new ArgumentException($"{vectors.Length} values are not rows of {dim}");
        Dim = dim;
        Count = vectors.Length / dim;
        _data = DotProduct.Normalized(vectors, dim);
        int padded = (Count + RowQuantum - 1) / RowQuantum * RowQuantum;
        _blocks = padded / BlockKernel.Rows;
        _blockedData = GC.AllocateArray<float>(Math.Max(1, checked(padded * dim)), pinned: true);
        for (int row = 0; row < Count; row++)
        {
            int block = row / BlockKernel.Rows, lane = row % BlockKernel.Rows;
            var dst = _blockedData.AsSpan(block * dim * BlockKernel.Rows);
            for (int d = 0; d < dim; d++) dst[d * BlockKernel.Rows + lane] = _data[row * dim + d];
        }
        _blocked = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_blockedData));
    }

    public int Count { get; }
    public int Dim { get; }

    /// <summary>Threads used by <see cref="SearchBatch(ReadOnlySpan{float}, int)"/> (−1: all cores).</summary>
    public int Threads { get; set; } = -1;

    /// <summary>The kernel width in use: the widest the machine accelerates. Tests lower it to check the others.</summary>
    internal SimdWidth Width { get; set; } = BlockKernel.Best;

    /// <summary>The normalised rows, row-major.</summary>
    internal ReadOnlySpan<float> UnitVectors => _data;

    public ReadOnlySpan<float> Vector(int id)
    {
        if ((uint)id >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(id), $"id {id} is not in 0..{Count - 1}");
        return _data.AsSpan(id * Dim, Dim);
    }

    public Neighbor[] Search(ReadOnlySpan<float> query, int k)
    {
        if (query.Length != Dim) throw new ArgumentException($"query has {query.Length} values, the index {Dim}");
        return SearchBatch(query, k, threads: 1)[0];
    }

    public Neighbor[][] SearchBatch(ReadOnlySpan<float> queries, int k) => SearchBatch(queries, k, Threads);

    /// <summary>The k most similar rows of each query, most similar first.</summary>
    public Neighbor[][] SearchBatch(ReadOnlySpan<float> queries, int k, int threads)
    {
        var hits = Run(queries, k, threads, null, false, out _);
        var results = new Neighbor[hits.Length][];
        for (int i = 0; i < hits.Length; i++)
        {
            var row = hits[i];
            results[i] = new Neighbor[row.Length];
            for (int j = 0; j < row.Length; j++) results[i][j] = new Neighbor(row[j].Id, row[j].Score);
        }
        return results;
    }

    /// <summary>
    /// The k rows of largest <c>cos(query, row) + bias[row]</c> for each query, largest first, ties by smaller id.
    /// <paramref name="bias"/> holds one value per row, or is empty for none. <c>Cosine</c> is the row's cosine and
    /// <c>Score</c> the biased score (<c>Score == Cosine + bias[Id]</c> exactly). With <paramref name="byLength"/> the
    /// queries are taken as they are, not normalised: the score is <c>query·row + bias[row]</c>, ‖query‖ times the
    /// cosine (<c>Cosine</c> is still the cosine).
    /// </summary>
    public Neighbor[][] SearchBatch(ReadOnlySpan<float> queries, int k, int threads, ReadOnlySpan<float> bias,
                                          bool byLength = false) =>
        SearchBatchPadded(queries, k, threads, PadBias(bias), byLength);

    /// <summary>
    /// The bias as the kernel reads it, padded to whole blocks (null for none): made once by a caller that searches
    /// with the same bias query after query (<see cref="RuleDecoder"/>), instead of once a call.
    /// </summary>
    internal float[]? PadBias(ReadOnlySpan<float> bias)
    {
        CheckBias(bias);
        return PaddedBias(bias);
    }

    /// <summary>As <see cref="SearchBatch(ReadOnlySpan{float}, int, int, ReadOnlySpan{float}, bool)"/>, the bias from <see cref="PadBias"/>.</summary>
    internal Neighbor[][] SearchBatchPadded(ReadOnlySpan<float> queries, int k, int threads, float[]? paddedBias,
                                            bool byLength = false)
    {
        if (paddedBias is not null && paddedBias.Length != _blocks * BlockKernel.Rows)
            throw new ArgumentException($"a padded bias of {paddedBias.Length} values, not {_blocks * BlockKernel.Rows}");
        var hits = Run(queries, k, threads, paddedBias, byLength, out var scanned);
        if (paddedBias is null && !byLength) return hits;
        var unit = byLength ? DotProduct.Normalized(scanned, Dim) : scanned;
        fixed (float* q0 = unit)
        fixed (float* rows = _data)
        {
            for (int i = 0; i < hits.Length; i++)
                for (int j = 0; j < hits[i].Length; j++)
                {
                    var h = hits[i][j];
                    float cosine = BlockKernel.DotSequential(q0 + (long)i * Dim, rows + (long)h.Id * Dim, Dim);
                    hits[i][j] = h with { Cosine = cosine };
                }
        }
        return hits;
    }

    /// <summary>
    /// Every score of a block of queries, on the calling thread: <c>scores[i·Count + w] = cos(query i, row w)
    /// (+ bias[w])</c>, bitwise the scores the searches rank by. <paramref name="scores"/> must hold exactly
    /// <c>n × Count</c> values; <paramref name="bias"/> one per row, or be empty. Call it from several threads on
    /// different blocks of queries to use several cores. With <paramref name="byLength"/> the queries are not
    /// normalised (scores are dot products, as <see cref="SearchBatch(ReadOnlySpan{float}, int, int, ReadOnlySpan{float}, bool)"/>).
    /// </summary>
    public void ScoreAll(ReadOnlySpan<float> queries, Span<float> scores, ReadOnlySpan<float> bias = default,
                         bool byLength = false)
    {
        CheckQueries(queries);
        CheckBias(bias);
        int n = queries.Length / Dim;
        if (scores.Length != (long)n * Count)
            throw new ArgumentException($"the score buffer holds {scores.Length} values, {n} queries × {Count} rows need {(long)n * Count}");
        if (n == 0 || Count == 0) return;
        var unit = byLength ? queries.ToArray() : DotProduct.Normalized(queries, Dim);
        var padded = PaddedBias(bias);
        fixed (float* q = unit)
        fixed (float* b = padded)
        fixed (float* s = scores)
        {
            for (int first = 0; first < n; first += QueryBlock)
                ScanAll(q + (long)first * Dim, Math.Min(QueryBlock, n - first), b, s + (long)first * Count);
        }
    }

    /// <summary>The searches; <paramref name="scanned"/> receives the queries as scored (normalised unless byLength).</summary>
    private Neighbor[][] Run(ReadOnlySpan<float> queries, int k, int threads, float[]? padded,
                                   bool byLength, out float[] scanned)
    {
        CheckQueries(queries);
        if (k < 1) throw new ArgumentException($"k must be at least 1 (got {k})");
        if (threads == 0 || threads < -1) throw new ArgumentException($"threads must be positive or -1 (got {threads})");
        int n = queries.Length / Dim;
        var unit = byLength ? queries.ToArray() : DotProduct.Normalized(queries, Dim);
        scanned = unit;
        var results = new Neighbor[n][];
        int blocks = (n + QueryBlock - 1) / QueryBlock;
        void Block(int b)
        {
            int first = b * QueryBlock, count = Math.Min(QueryBlock, n - first);
            fixed (float* q = unit)
            fixed (float* bp = padded)
                ScanTopK(q + (long)first * Dim, count, k, bp, results.AsSpan(first, count));
        }
        if (blocks <= 1 || threads == 1)
            for (int b = 0; b < blocks; b++) Block(b);
        else
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads }, Block);
        return results;
    }

    private void CheckQueries(ReadOnlySpan<float> queries)
    {
        if (queries.Length % Dim != 0)
            throw new ArgumentException($"{queries.Length} query values are not rows of the index's dimension {Dim}");
    }

    private void CheckBias(ReadOnlySpan<float> bias)
    {
        if (!bias.IsEmpty && bias.Length != Count)
            throw new ArgumentException($"the bias has {bias.Length} values, the index {Count} rows");
    }

    /// <summary>
    /// The bias padded with zeros to the blocked row count (null for no bias). An ordinary array, pinned by
    /// <c>fixed</c> while it is read: a pinned-heap array per call left one gen-2 collection every few hundred
    /// single-query searches (a 2,048-row search with a bias took 21 µs instead of 7).
    /// </summary>
    private float[]? PaddedBias(ReadOnlySpan<float> bias)
    {
        if (bias.IsEmpty) return null;
        var padded = new float[_blocks * BlockKernel.Rows];
        bias.CopyTo(padded);
        return padded;
    }
}
