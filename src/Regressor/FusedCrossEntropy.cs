using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace VecLm.Regressor;

/// <summary>
/// Softmax cross-entropy and its gradient in one pass per row, for the softmax head's training step. For logits z
/// (a row of |V|) and target y: loss = log Σⱼ exp(zⱼ − max z) + max z − z_y, and ∂loss/∂z = softmax(z) − onehot(y),
/// both averaged over the N rows. LibTorch computes the same thing in separate kernels (log_softmax, nll_loss and
/// their backward passes, each a full pass over the N × |V| logits, 80 MB for a 1,120 × 17,715 batch); here each row
/// (70 KB) is read from memory once and its exponentials stay in cache, which takes the loss from about 15% of the
/// softmax head's step to about 3%. The gradient goes back through the graph with <c>logits.backward(gradient)</c>.
/// </summary>
public static class FusedCrossEntropy
{
    /// <summary>
    /// Mean loss over the rows of <paramref name="logits"/> ([N, V], row-major) and, into <paramref name="gradient"/>
    /// (same shape), its gradient. Rows are spread over <paramref name="threads"/> threads.
    /// </summary>
    public static double LossAndGradient(ReadOnlySpan<float> logits, ReadOnlySpan<long> targets, Span<float> gradient,
                                         int width, int threads = 1)
    {
        int rows = Check(logits, targets, gradient, width);
        var losses = new double[rows];
        unsafe
        {
            fixed (float* z = logits, g = gradient)
            fixed (long* y = targets)
            {
                nint zp = (nint)z, gp = (nint)g, yp = (nint)y;
                float scale = 1f / rows;
                void Row(int i)
                {
                    var row = new ReadOnlySpan<float>((float*)zp + (long)i * width, width);
                    var grad = new Span<float>((float*)gp + (long)i * width, width);
                    int target = (int)((long*)yp)[i];
                    float max = TensorPrimitives.Max(row);
                    TensorPrimitives.Subtract(row, max, grad);
                    TensorPrimitives.Exp(grad, grad);
                    double sum = TensorPrimitives.Sum(grad);
                    losses[i] = Math.Log(sum) + max - row[target];
                    TensorPrimitives.Multiply(grad, (float)(scale / sum), grad);
                    grad[target] -= scale;
                }
                if (threads <= 1 || rows < 2 * threads) for (int i = 0; i < rows; i++) Row(i);
                else Parallel.For(0, rows, new ParallelOptions { MaxDegreeOfParallelism = threads }, Row);
            }
        }
        return losses.Sum() / rows;
    }

    /// <summary>
    /// The same for logits laid out vocabulary-major, <paramref name="logitsT"/> = [V, N] (column i is row i's logits),
    /// the gradient written in that layout too. Columns are taken 16 at a time: one 64-byte load per vocabulary row
    /// updates 16 rows' running maxima, then their sums of exponentials (kept in <paramref name="gradientT"/>), then
    /// the scaled gradient; a block of 16 columns (1.1 MB for 17,715 words) stays in the L2 cache between passes.
    /// </summary>
    public static double LossAndGradientColumns(ReadOnlySpan<float> logitsT, ReadOnlySpan<long> targets, Span<float> gradientT,
                                                int vocabulary, int threads = 1) =>
        LossAndGradientColumns(logitsT, targets, gradientT, vocabulary, threads, FastestKernel);

    /// <summary>The column kernels: 16 columns per Vector512 pass, per two Vector256 passes, or one column at a time.</summary>
    internal enum ColumnKernel { Scalar, Vector256, Vector512 }

    /// <summary>The widest kernel this CPU runs natively (an AVX2 machine without AVX-512 takes Vector256).</summary>
    internal static ColumnKernel FastestKernel =>
        Vector512.IsHardwareAccelerated ? ColumnKernel.Vector512
        : Vector256.IsHardwareAccelerated ? ColumnKernel.Vector256 : ColumnKernel.Scalar;

    internal static double LossAndGradientColumns(ReadOnlySpan<float> logitsT, ReadOnlySpan<long> targets, Span<float> gradientT,
                                                  int vocabulary, int threads, ColumnKernel kernel)
    {
        int rows = Check(logitsT, targets, gradientT, vocabulary);   // V·N values, N targets below V
        var losses = new double[rows];
        int blocks = (rows + Lanes - 1) / Lanes;
        unsafe
        {
            fixed (float* z = logitsT, g = gradientT)
            fixed (long* y = targets)
            {
                nint zp = (nint)z, gp = (nint)g, yp = (nint)y;
                void Block(int b)
                {
                    int first = b * Lanes, count = Math.Min(Lanes, rows - first);
                    if (count == Lanes && kernel == ColumnKernel.Vector512)
                        ColumnBlock((float*)zp, (float*)gp, (long*)yp, first, rows, vocabulary, losses);
                    else if (count == Lanes && kernel == ColumnKernel.Vector256)
                        ColumnBlock256((float*)zp, (float*)gp, (long*)yp, first, rows, vocabulary, losses);
                    else
                        for (int c = first; c < first + count; c++) Column((float*)zp, (float*)gp, (long*)yp, c, rows, vocabulary, losses);
                }
                if (threads <= 1 || blocks < 2 * threads) for (int b = 0; b < blocks; b++) Block(b);
                else Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads }, Block);
            }
        }
        return losses.Sum() / rows;
    }

    private const int Lanes = 16;

    /// <summary>Columns first … first+15 with Vector512: max, Σ exp (stored), then scaled in place.</summary>
    private static unsafe void ColumnBlock(float* z, float* g, long* y, int first, int rows, int vocabulary, double[] losses)
    {
        var max = Vector512.Create(float.NegativeInfinity);
        for (long v = 0; v < vocabulary; v++) max = Vector512.Max(max, Vector512.Load(z + v * rows + first));
        var sum = Vector512<float>.Zero;
        for (long v = 0; v < vocabulary; v++)
        {
            var e = Vector512.Exp(Vector512.Load(z + v * rows + first) - max);
            e.Store(g + v * rows + first);
            sum += e;
        }
        float scale = 1f / rows;
        var factor = Vector512.Create(scale) / sum;
        for (long v = 0; v < vocabulary; v++)
            (Vector512.Load(g + v * rows + first) * factor).Store(g + v * rows + first);
        for (int j = 0; j < Lanes; j++)
        {
            int c = first + j;
            long target = y[c];
            losses[c] = Math.Log(sum[j]) + max[j] - z[target * rows + c];
            g[target * rows + c] -= scale;
        }
    }

    /// <summary>
    /// The same 16 columns as two Vector256 halves of one 64-byte line, for AVX2 machines: without it each column
    /// would be walked alone, one float per cache line, and the softmax step would run several times slower.
    /// </summary>
    private static unsafe void ColumnBlock256(float* z, float* g, long* y, int first, int rows, int vocabulary, double[] losses)
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
        var sum1 = Vector256<float>.Zero;
        for (long v = 0; v < vocabulary; v++)
        {
            long at = v * rows + first;
            var e0 = Vector256.Exp(Vector256.Load(z + at) - max0);
            var e1 = Vector256.Exp(Vector256.Load(z + at + 8) - max1);
            e0.Store(g + at);
            e1.Store(g + at + 8);
            sum0 += e0;
            sum1 += e1;
        }
        float scale = 1f / rows;
        var factor0 = Vector256.Create(scale) / sum0;
        var factor1 = Vector256.Create(scale) / sum1;
        for (long v = 0; v < vocabulary; v++)
        {
            float* row = g + v * rows + first;
            (Vector256.Load(row) * factor0).Store(row);
            (Vector256.Load(row + 8) * factor1).Store(row + 8);
        }
        for (int j = 0; j < Lanes; j++)
        {
            int c = first + j;
            long target = y[c];
            float sum = j < 8 ? sum0[j] : sum1[j - 8], max = j < 8 ? max0[j] : max1[j - 8];
            losses[c] = Math.Log(sum) + max - z[target * rows + c];
            g[target * rows + c] -= scale;
        }
    }

    /// <summary>One column, scalar (the last columns of a block of fewer than 16, or without Vector256).</summary>
    private static unsafe void Column(float* z, float* g, long* y, int c, int rows, int vocabulary, double[] losses)
    {
        float max = float.NegativeInfinity;
        for (long v = 0; v < vocabulary; v++) max = Math.Max(max, z[v * rows + c]);
        float sum = 0;
        for (long v = 0; v < vocabulary; v++)
        {
            float e = MathF.Exp(z[v * rows + c] - max);
            g[v * rows + c] = e;
            sum += e;
        }
        float scale = 1f / rows, factor = scale / sum;
        for (long v = 0; v < vocabulary; v++) g[v * rows + c] *= factor;
        long target = y[c];
        losses[c] = Math.Log(sum) + max - z[target * rows + c];
        g[target * rows + c] -= scale;
    }

    /// <summary>
    /// The softmax head's training loss from vocabulary-major logits ([V, N], with their graph): the mean
    /// cross-entropy, its gradient sent back through the graph unless the loss is not finite.
    /// </summary>
    public static double BackwardTransposed(Tensor logitsT, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var z = logitsT.detach().contiguous();
        var y = targets.contiguous();
        var gradient = empty_like(z);
        double loss = LossAndGradientColumns(MemoryMarshal.Cast<byte, float>(z.bytes), MemoryMarshal.Cast<byte, long>(y.bytes),
            MemoryMarshal.Cast<byte, float>(gradient.bytes), (int)z.shape[0], get_num_threads());
        if (double.IsFinite(loss)) logitsT.backward([gradient]);
        return loss;
    }

    /// <summary>The mean cross-entropy of vocabulary-major logits ([V, N], no graph needed): evaluation.</summary>
    public static double Loss(Tensor logitsT, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var z = logitsT.detach().contiguous();
        var y = targets.contiguous();
        var scratch = empty_like(z);
        return LossAndGradientColumns(MemoryMarshal.Cast<byte, float>(z.bytes), MemoryMarshal.Cast<byte, long>(y.bytes),
            MemoryMarshal.Cast<byte, float>(scratch.bytes), (int)z.shape[0], get_num_threads());
    }

    /// <summary>The same in plain double-precision loops: the reference the fast path is tested against.</summary>
    public static double LossAndGradientReference(ReadOnlySpan<float> logits, ReadOnlySpan<long> targets,
                                                  Span<float> gradient, int width)
    {
        int rows = Check(logits, targets, gradient, width);
        double total = 0;
        for (int i = 0; i < rows; i++)
        {
            var row = logits.Slice(i * width, width);
            double max = double.NegativeInfinity;
            foreach (var v in row) max = Math.Max(max, v);
            double sum = 0;
            foreach (var v in row) sum += Math.Exp(v - max);
            int target = (int)targets[i];
            total += Math.Log(sum) + max - row[target];
            for (int j = 0; j < width; j++)
                gradient[i * width + j] = (float)((Math.Exp(row[j] - max) / sum - (j == target ? 1 : 0)) / rows);
        }
        return total / rows;
    }

    /// <summary>
    /// The training step's loss for the softmax head: the mean cross-entropy of <paramref name="logits"/> ([N, V],
    /// with its graph) against <paramref name="targets"/> ([N]), its gradient sent back through the graph unless the
    /// loss is not finite (then nothing is applied and the caller stops).
    /// </summary>
    public static double Backward(Tensor logits, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var z = logits.detach().contiguous();
        var y = targets.contiguous();
        var gradient = empty_like(z);
        int width = (int)z.shape[1];
        double loss = LossAndGradient(MemoryMarshal.Cast<byte, float>(z.bytes), MemoryMarshal.Cast<byte, long>(y.bytes),
            MemoryMarshal.Cast<byte, float>(gradient.bytes), width, get_num_threads());
        if (double.IsFinite(loss)) logits.backward([gradient]);
        return loss;
    }

    private static int Check(ReadOnlySpan<float> logits, ReadOnlySpan<long> targets, Span<float> gradient, int width)
    {
        if (width < 1 || logits.Length % width != 0)
            throw new ArgumentException($"{logits.Length} logits are not rows of {width}");
        int rows = logits.Length / width;
        if (rows == 0) throw new ArgumentException("no rows");
        if (targets.Length != rows) throw new ArgumentException($"{targets.Length} targets for {rows} rows");
        if (gradient.Length != logits.Length) throw new ArgumentException("the gradient is not the logits' shape");
        foreach (var t in targets)
            if (t < 0 || t >= width) throw new ArgumentException($"target {t} is outside 0..{width - 1}");
        return rows;
    }
}
