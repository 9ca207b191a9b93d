using System.Numerics;
using System.Runtime.CompilerServices;

namespace VecLm.Decoder;

/// <summary>The scans of <see cref="ExactIndex"/>: a block of queries over every row, tile by tile.</summary>
public sealed unsafe partial class ExactIndex
{
    private const int TileBlocks = 64;   // 1,024 rows: 256 KiB at dim 64, stays in L2 while every query passes over it

    /// <summary>
    /// A query's k best so far: a binary heap over two arrays with the worst on top (lowest score, then larger id), so
    /// <c>threshold</c> (the top's score once the heap is full) is the score to beat and a better row replaces the top
    /// with one sift-down.
    /// </summary>
    private sealed class TopK(int k)
    {
        private readonly float[] _scores = new float[k];
        private readonly int[] _ids = new int[k];
        private int _count;

        public bool Full => _count == _scores.Length;

        /// <summary>
        /// Offers the rows of one block whose lanes are set in <paramref name="lanes"/> (every real row until the heap
        /// is full, then those the kernel found above the threshold, rechecked against the current one). Rows arrive in
        /// increasing id order, so a score equal to the threshold never displaces anything: ties keep the smaller id.
        /// </summary>
        public void Offer(float* scores, int firstRow, uint lanes, ref float threshold)
        {
            while (lanes != 0)
            {
                int lane = BitOperations.TrailingZeroCount(lanes);
                lanes &= lanes - 1;
                float score = scores[lane];
                if (!Full)
                {
                    SiftUp(_count++, score, firstRow + lane);
                    if (Full) threshold = _scores[0];
                }
                else if (score > threshold)
                {
                    SiftDown(score, firstRow + lane);
                    threshold = _scores[0];
                }
            }
        }

        /// <summary>Whether (s1, id1) ranks below (s2, id2): a lower score, or the same score and a larger id.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool Worse(float s1, int id1, float s2, int id2) => s1 < s2 || (s1 == s2 && id1 > id2);

        private void SiftUp(int i, float score, int id)
        {
            while (i > 0)
            {
                int parent = (i - 1) >> 1;
                if (!Worse(score, id, _scores[parent], _ids[parent])) break;
                _scores[i] = _scores[parent];
                _ids[i] = _ids[parent];
                i = parent;
            }
            _scores[i] = score;
            _ids[i] = id;
        }

        /// <summary>Replaces the top (the worst) with a better row.</summary>
        private void SiftDown(float score, int id)
        {
            int n = _count, i = 0;
            while (true)
            {
                int child = 2 * i + 1;
                if (child >= n) break;
                if (child + 1 < n && Worse(_scores[child + 1], _ids[child + 1], _scores[child], _ids[child])) child++;
                if (!Worse(_scores[child], _ids[child], score, id)) break;
                _scores[i] = _scores[child];
                _ids[i] = _ids[child];
                i = child;
            }
            _scores[i] = score;
            _ids[i] = id;
        }

        /// <summary>The rows held, best first.</summary>
        public Neighbor[] Sorted()
        {
            var hits = new Neighbor[_count];
            for (int i = 0; i < _count; i++) hits[i] = new Neighbor(_ids[i], _scores[i], _scores[i]);
            Array.Sort(hits, static (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Id.CompareTo(b.Id));
            return hits;
        }

        /// <summary>Offers block <paramref name="block"/>: <paramref name="above"/> holds the kernel's 16 compare bits.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Consider(float* scores, int block, int count, uint above, ref float threshold)
        {
            uint valid = BlockKernel.ValidLanes(block, count);
            uint lanes = Full ? above & valid : valid;
            if (lanes != 0) Offer(scores, block * BlockKernel.Rows, lanes, ref threshold);
        }
    }

    /// <summary>
    /// The k best rows of <paramref name="n"/> normalised queries (row-major at <paramref name="queries"/>), written to
    /// <paramref name="results"/> best first. Four queries share each pass over a block; a lone last query is scored
    /// against four blocks at a time instead. The kernels compare every score with its query's threshold (−∞ until
    /// the heap holds k), so a block nobody's heap wants costs one branch.
    /// </summary>
    private void ScanTopK(float* queries, int n, int k, float* bias, Span<Neighbor[]> results)
    {
        var width = Width;
        int dim = Dim, count = Count, stride = dim * BlockKernel.Rows;
        var tops = new TopK[n];
        for (int j = 0; j < n; j++) tops[j] = new TopK(Math.Min(k, count));
        float* thresholds = stackalloc float[n + 3];
        for (int j = 0; j < n + 3; j++) thresholds[j] = float.NegativeInfinity;
        float* scores = Aligned(stackalloc float[5 * BlockKernel.Rows]);
        for (int t0 = 0; t0 < _blocks; t0 += TileBlocks)
        {
            int t1 = Math.Min(_blocks, t0 + TileBlocks);
            for (int g = 0; g < n; g += 4)
            {
                int size = Math.Min(4, n - g);
                float* q0 = queries + (long)g * dim;
                if (size == 1)
                {
                    var top = tops[g];
                    for (int b = t0; b < t1; b += BlockKernel.OneQueryBlocks)
                    {
                        ulong above = BlockKernel.OneQuery(width, _blocked + (long)b * stride, dim, q0,
                                                           bias == null ? null : bias + b * BlockKernel.Rows,
                                                           thresholds[g], scores);
                        if (above == 0 && top.Full) continue;
                        for (int i = 0; i < BlockKernel.OneQueryBlocks; i++)
                            top.Consider(scores + i * BlockKernel.Rows, b + i, count, (uint)(above >> (16 * i)) & 0xFFFF,
                                         ref thresholds[g]);
                    }
                    continue;
                }
                // Missing queries of a group of 2 or 3 repeat the last one; their scores are not read.
                float* q1 = q0 + dim, q2 = size > 2 ? q1 + dim : q1, q3 = size > 3 ? q2 + dim : q2;
                int notFull = 0;
                for (int j = 0; j < size; j++) notFull += tops[g + j].Full ? 0 : 1;
                for (int b = t0; b < t1; b++)
                {
                    ulong above = BlockKernel.FourQueries(width, _blocked + (long)b * stride, dim, q0, q1, q2, q3,
                                                          bias == null ? null : bias + b * BlockKernel.Rows,
                                                          thresholds + g, scores);
                    if (above == 0 && notFull == 0) continue;
                    for (int j = 0; j < size; j++)
                    {
                        var top = tops[g + j];
                        bool wasFull = top.Full;
                        top.Consider(scores + j * BlockKernel.Rows, b, count, (uint)(above >> (16 * j)) & 0xFFFF,
                                     ref thresholds[g + j]);
                        if (!wasFull && top.Full) notFull--;
                    }
                }
            }
        }
        for (int j = 0; j < n; j++) results[j] = tops[j].Sorted();
    }

    /// <summary>Every score of <paramref name="n"/> normalised queries into <c>scores[j·Count + row]</c>.</summary>
    private void ScanAll(float* queries, int n, float* bias, float* scores)
    {
        var width = Width;
        int dim = Dim, count = Count, stride = dim * BlockKernel.Rows;
        float* block = Aligned(stackalloc float[5 * BlockKernel.Rows]);
        float* never = stackalloc float[4];   // thresholds nothing is above: the compare bits are not needed here
        for (int j = 0; j < 4; j++) never[j] = float.PositiveInfinity;
        for (int t0 = 0; t0 < _blocks; t0 += TileBlocks)
        {
            int t1 = Math.Min(_blocks, t0 + TileBlocks);
            for (int g = 0; g < n; g += 4)
            {
                int size = Math.Min(4, n - g);
                float* q0 = queries + (long)g * dim;
                if (size == 1)
                {
                    for (int b = t0; b < t1; b += BlockKernel.OneQueryBlocks)
                    {
                        BlockKernel.OneQuery(width, _blocked + (long)b * stride, dim, q0,
                                             bias == null ? null : bias + b * BlockKernel.Rows, float.PositiveInfinity, block);
                        Copy(block, 4 * BlockKernel.Rows, b, scores + (long)g * count, count);
                    }
                    continue;
                }
                float* q1 = q0 + dim, q2 = size > 2 ? q1 + dim : q1, q3 = size > 3 ? q2 + dim : q2;
                for (int b = t0; b < t1; b++)
                {
                    BlockKernel.FourQueries(width, _blocked + (long)b * stride, dim, q0, q1, q2, q3,
                                            bias == null ? null : bias + b * BlockKernel.Rows, never, block);
                    for (int j = 0; j < size; j++)
                        Copy(block + j * BlockKernel.Rows, BlockKernel.Rows, b, scores + (long)(g + j) * count, count);
                }
            }
        }
    }

    /// <summary>
    /// The first 64-byte boundary in a scratch buffer (16 floats spare): the kernels store whole vectors there and the
    /// compare reloads them, and a store split over two cache lines is not forwarded to the load.
    /// </summary>
    private static float* Aligned(Span<float> scratch)
    {
        float* p = (float*)Unsafe.AsPointer(ref scratch[0]);
        return (float*)(((nint)p + 63) & ~(nint)63);
    }

    /// <summary>Copies <paramref name="length"/> scores of rows from block <paramref name="block"/> on, real rows only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(float* source, int length, int block, float* row, int count)
    {
        int first = block * BlockKernel.Rows;
        int n = Math.Min(length, count - first);
        if (n == length) Unsafe.CopyBlockUnaligned(row + first, source, (uint)length * sizeof(float));   // unrolled: constant
        else if (n > 0) new ReadOnlySpan<float>(source, n).CopyTo(new Span<float>(row + first, n));
    }
}
