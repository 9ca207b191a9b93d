using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using VecLm.Embeddings;

namespace VecLm.Regressor;

/// <summary>
/// The kernels of <see cref="FusedCrossEntropy"/>'s vocabulary-major layout: logits <c>z</c> = [V, N] (column i is
/// row i's logits). Columns are taken <see cref="Columns"/> = 16 at a time, one 64-byte line of each vocabulary row:
/// one Vector512, two Vector256 or four Vector128 per line (<see cref="SimdWidth"/>), so every width reads whole
/// lines. Per block: the 16 running maxima, then their sums of exponentials (each exponential stored as the
/// gradient's numerator, unless only the loss is wanted), then the scaled gradient; a block (1.1 MB for 17,715 words)
/// stays in cache between passes. A last, partial block is taken as the window of the last 16 columns (the overlapping
/// last vector of TensorPrimitives), after the other blocks are done: the columns it shares with the block before
/// are computed again from the same logits by the same lanes' arithmetic, so they are rewritten with the same bits.
/// Fewer than 16 columns in all are taken one at a time. The gradient may overwrite the logits (<c>g == z</c>: at a
/// million words the logits are 4.5 GB, and a second table that size faulted in every step cost a third of the
/// step): each column's target logit is read before its block writes, and a partial last block then goes column by
/// column, as its window's first columns are gradient already.
/// </summary>
/// <remarks>
/// The loss of a column is computed alike with and without the gradient (the same maxima, the same sums in the same
/// order), so the loss-only path gives bitwise the gradient path's loss at every width. Widths differ in rounding
/// only (their exponentials differ in the last bits).
/// </remarks>
internal static unsafe class ColumnCrossEntropy
{
    /// <summary>Columns per block: 16 floats, one cache line of a vocabulary row.</summary>
    public const int Columns = 16;

    /// <summary>
    /// A block's 16 maxima or sums, handed to <see cref="Finish"/>. A local struct, not stackalloc: a method with
    /// stackalloc and loops is compiled once, without tiering, and then left <c>Vector256.Exp</c> as a call (AVX2
    /// path 6% slower).
    /// </summary>
    [InlineArray(Columns)]
    private struct Line { private float _lane; }

    /// <summary>
    /// Mean loss of the <paramref name="rows"/> columns of <paramref name="z"/> ([<paramref name="vocabulary"/>, rows])
    /// against the targets <paramref name="y"/>, and its gradient into <paramref name="g"/> (same layout) unless
    /// <paramref name="g"/> is null. Blocks are spread over <paramref name="threads"/> threads.
    /// </summary>
    public static double Run(float* z, float* g, long* y, int rows, int vocabulary, int threads, SimdWidth width)
    {
        var losses = new double[rows];
        bool vector = width != SimdWidth.Scalar && rows >= Columns;
        int blocks = rows / Columns, rest = rows - blocks * Columns;
        nint zp = (nint)z, gp = (nint)g, yp = (nint)y;
        void Block(int b)
        {
            if (vector) Kernel(width, (float*)zp, (float*)gp, (long*)yp, b * Columns, rows, vocabulary, losses);
            else
                for (int c = b * Columns; c < (b + 1) * Columns; c++)
                    Column((float*)zp, (float*)gp, (long*)yp, c, rows, vocabulary, losses);
        }
        if (threads <= 1 || blocks < 2 * threads) for (int b = 0; b < blocks; b++) Block(b);
        else Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads }, Block);
        // The rest: a last block overlapping the one before it, unless the gradient overwrites the logits (that block's
        // columns are already gradient then), when the rest goes column by column.
        if (rest > 0 && vector && g != z) Kernel(width, z, g, y, rows - Columns, rows, vocabulary, losses);
        else for (int c = rows - rest; c < rows; c++) Column(z, g, y, c, rows, vocabulary, losses);
        return losses.Sum() / rows;
    }

    private static void Kernel(SimdWidth width, float* z, float* g, long* y, int first, int rows, int vocabulary,
                               double[] losses)
    {
        if (g == null) Kernel<LossOnly>(width, z, g, y, first, rows, vocabulary, losses);
        else Kernel<WithGradient>(width, z, g, y, first, rows, vocabulary, losses);
    }

    private static void Kernel<T>(SimdWidth width, float* z, float* g, long* y, int first, int rows, int vocabulary,
                                  double[] losses) where T : struct, IGradientFlag
    {
        var targets = TargetLogits(z, y, first, rows);   // read before any gradient can overwrite them
        if (width == SimdWidth.V512) Block512<T>(z, g, y, first, rows, vocabulary, losses, targets);
        else if (width == SimdWidth.V256) Block256<T>(z, g, y, first, rows, vocabulary, losses, targets);
        else Block128<T>(z, g, y, first, rows, vocabulary, losses, targets);
    }

    /// <summary>
    /// Whether a kernel writes the gradient, as a type: each kernel is compiled apart for <see cref="LossOnly"/> and
    /// <see cref="WithGradient"/>, each with one exponential loop (a null test inside that loop cost the AVX2 path
    /// about a third of its speed, and two loops in one method kept the JIT from inlining <c>Vector256.Exp</c> well).
    /// </summary>
    private interface IGradientFlag { static abstract bool Writes { get; } }
    private struct LossOnly : IGradientFlag { public static bool Writes => false; }
    private struct WithGradient : IGradientFlag { public static bool Writes => true; }

    /// <summary>Columns first … first+15 with one Vector512 per line.</summary>
    private static void Block512<T>(float* z, float* g, long* y, int first, int rows, int vocabulary, double[] losses,
                                    Line targets)
        where T : struct, IGradientFlag
    {
        var max = Vector512.Create(float.NegativeInfinity);
        for (long v = 0; v < vocabulary; v++) max = Vector512.Max(max, Vector512.Load(z + v * rows + first));
        var sum = Vector512<float>.Zero;
        for (long v = 0; v < vocabulary; v++)
        {
            long at = v * rows + first;
            var e = Vector512.Exp(Vector512.Load(z + at) - max);
            if (T.Writes) e.Store(g + at);
            sum += e;
        }
        if (T.Writes)
        {
            var factor = Vector512.Create(1f / rows) / sum;
            for (long v = 0; v < vocabulary; v++)
                (Vector512.Load(g + v * rows + first) * factor).Store(g + v * rows + first);
        }
        Line m = default, s = default;
        max.StoreUnsafe(ref m[0]);
        sum.StoreUnsafe(ref s[0]);
        Finish(g, y, first, rows, m, s, targets, losses);
    }

    /// <summary>The same 16 columns as two Vector256 halves of one line (AVX2 machines).</summary>
    private static void Block256<T>(float* z, float* g, long* y, int first, int rows, int vocabulary, double[] losses,
                                    Line targets)
        where T : struct, IGradientFlag
    {
        var max0 = Vector256.Create(float.NegativeInfinity);
        var max1 = max0;
        for (long v = 0; v < vocabulary; v++)
        {
            float* row = z + v * rows + first;
            max0 = Vector256.Max(max0, Vector256.Load(row));
            max1 = Vector256.Max(max1, Vector256.Load(row + 8));
        }
        var sum0 = Vector256<float>.Zero;
        var sum1 = sum0;
        for (long v = 0; v < vocabulary; v++)
        {
            long at = v * rows + first;
            var e0 = Vector256.Exp(Vector256.Load(z + at) - max0);
            var e1 = Vector256.Exp(Vector256.Load(z + at + 8) - max1);
            if (T.Writes)
            {
                e0.Store(g + at);
                e1.Store(g + at + 8);
            }
            sum0 += e0;
            sum1 += e1;
        }
        if (T.Writes)
        {
            var factor0 = Vector256.Create(1f / rows) / sum0;
            var factor1 = Vector256.Create(1f / rows) / sum1;
            for (long v = 0; v < vocabulary; v++)
            {
                float* row = g + v * rows + first;
                (Vector256.Load(row) * factor0).Store(row);
                (Vector256.Load(row + 8) * factor1).Store(row + 8);
            }
        }
        Line m = default, s = default;
        max0.StoreUnsafe(ref m[0]); max1.StoreUnsafe(ref m[0], 8);
        sum0.StoreUnsafe(ref s[0]); sum1.StoreUnsafe(ref s[0], 8);
        Finish(g, y, first, rows, m, s, targets, losses);
    }

    /// <summary>The same 16 columns as four Vector128 quarters of one line (SSE, AdvSimd).</summary>
    private static void Block128<T>(float* z, float* g, long* y, int first, int rows, int vocabulary, double[] losses,
                                    Line targets)
        where T : struct, IGradientFlag
    {
        var max0 = Vector128.Create(float.NegativeInfinity);
        var max1 = max0; var max2 = max0; var max3 = max0;
        for (long v = 0; v < vocabulary; v++)
        {
            float* row = z + v * rows + first;
            max0 = Vector128.Max(max0, Vector128.Load(row));
            max1 = Vector128.Max(max1, Vector128.Load(row + 4));
            max2 = Vector128.Max(max2, Vector128.Load(row + 8));
            max3 = Vector128.Max(max3, Vector128.Load(row + 12));
        }
        var sum0 = Vector128<float>.Zero;
        var sum1 = sum0; var sum2 = sum0; var sum3 = sum0;
        for (long v = 0; v < vocabulary; v++)
        {
            long at = v * rows + first;
            var e0 = Vector128.Exp(Vector128.Load(z + at) - max0);
            var e1 = Vector128.Exp(Vector128.Load(z + at + 4) - max1);
            var e2 = Vector128.Exp(Vector128.Load(z + at + 8) - max2);
            var e3 = Vector128.Exp(Vector128.Load(z + at + 12) - max3);
            if (T.Writes)
            {
                e0.Store(g + at); e1.Store(g + at + 4); e2.Store(g + at + 8); e3.Store(g + at + 12);
            }
            sum0 += e0; sum1 += e1; sum2 += e2; sum3 += e3;
        }
        if (T.Writes)
        {
            var share = Vector128.Create(1f / rows);
            var factor0 = share / sum0;
            var factor1 = share / sum1;
            var factor2 = share / sum2;
            var factor3 = share / sum3;
            for (long v = 0; v < vocabulary; v++)
            {
                float* row = g + v * rows + first;
                (Vector128.Load(row) * factor0).Store(row);
                (Vector128.Load(row + 4) * factor1).Store(row + 4);
                (Vector128.Load(row + 8) * factor2).Store(row + 8);
                (Vector128.Load(row + 12) * factor3).Store(row + 12);
            }
        }
        Line m = default, s = default;
        max0.StoreUnsafe(ref m[0]); max1.StoreUnsafe(ref m[0], 4);
        max2.StoreUnsafe(ref m[0], 8); max3.StoreUnsafe(ref m[0], 12);
        sum0.StoreUnsafe(ref s[0]); sum1.StoreUnsafe(ref s[0], 4);
        sum2.StoreUnsafe(ref s[0], 8); sum3.StoreUnsafe(ref s[0], 12);
        Finish(g, y, first, rows, m, s, targets, losses);
    }

    /// <summary>The losses of the block's columns and their targets' gradient.</summary>
    private static void Finish(float* g, long* y, int first, int rows, ReadOnlySpan<float> max, ReadOnlySpan<float> sum,
                               ReadOnlySpan<float> targets, double[] losses)
    {
        float scale = 1f / rows;
        for (int j = 0; j < Columns; j++)
        {
            int c = first + j;
            losses[c] = Math.Log(sum[j]) + max[j] - targets[j];
            if (g != null) g[y[c] * rows + c] -= scale;
        }
    }

    /// <summary>The block's columns' target logits.</summary>
    private static Line TargetLogits(float* z, long* y, int first, int rows)
    {
        Line t = default;
        for (int j = 0; j < Columns; j++) t[j] = z[y[first + j] * rows + first + j];
        return t;
    }

    /// <summary>One column, scalar (the scalar width, or fewer than 16 columns in all).</summary>
    private static void Column(float* z, float* g, long* y, int c, int rows, int vocabulary, double[] losses)
    {
        long target = y[c];
        float targetLogit = z[target * rows + c];   // read before any gradient can overwrite it
        float max = float.NegativeInfinity;
        for (long v = 0; v < vocabulary; v++) max = Math.Max(max, z[v * rows + c]);
        float sum = 0;
        for (long v = 0; v < vocabulary; v++)
        {
            float e = MathF.Exp(z[v * rows + c] - max);
            if (g != null) g[v * rows + c] = e;
            sum += e;
        }
        float scale = 1f / rows;
        losses[c] = Math.Log(sum) + max - targetLogit;
        if (g == null) return;
        float factor = scale / sum;
        for (long v = 0; v < vocabulary; v++) g[v * rows + c] *= factor;
        g[target * rows + c] -= scale;
    }
}
