using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Runtime.InteropServices;
using VecLm.Embeddings;
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
    /// the gradient written in that layout too (<see cref="ColumnCrossEntropy"/>: 16 columns per pass, one cache line
    /// of each vocabulary row, at the widest <see cref="SimdWidth"/> this CPU runs).
    /// </summary>
    public static double LossAndGradientColumns(ReadOnlySpan<float> logitsT, ReadOnlySpan<long> targets, Span<float> gradientT,
                                                int vocabulary, int threads = 1) =>
        LossAndGradientColumns(logitsT, targets, gradientT, vocabulary, threads, SimdWidths.Best);

    /// <summary>
    /// The same with the gradient written over the logits (<paramref name="logitsT"/> becomes the gradient): no second
    /// V × N table. Bitwise the separate path's loss and gradient when N is a multiple of 16; otherwise the last
    /// N mod 16 columns go through the scalar path (the reference's tolerance, not the same bits).
    /// </summary>
    public static double LossAndGradientColumnsInPlace(Span<float> logitsT, ReadOnlySpan<long> targets, int vocabulary,
                                                       int threads = 1) =>
        LossAndGradientColumnsInPlace(logitsT, targets, vocabulary, threads, SimdWidths.Best);

    internal static double LossAndGradientColumnsInPlace(Span<float> logitsT, ReadOnlySpan<long> targets, int vocabulary,
                                                         int threads, SimdWidth width)
    {
        int rows = Check(logitsT, targets, vocabulary);
        unsafe
        {
            fixed (float* z = logitsT)
            fixed (long* y = targets)
                return ColumnCrossEntropy.Run(z, z, y, rows, vocabulary, threads, width);
        }
    }

    internal static double LossAndGradientColumns(ReadOnlySpan<float> logitsT, ReadOnlySpan<long> targets, Span<float> gradientT,
                                                  int vocabulary, int threads, SimdWidth width)
    {
        int rows = Check(logitsT, targets, gradientT, vocabulary);   // V·N values, N targets below V
        unsafe
        {
            fixed (float* z = logitsT, g = gradientT)
            fixed (long* y = targets)
                return ColumnCrossEntropy.Run(z, g, y, rows, vocabulary, threads, width);
        }
    }

    /// <summary>
    /// The mean loss of vocabulary-major logits alone, for evaluation: no gradient is written (nor allocated), the
    /// logits are read twice per block (maxima, then sums of exponentials). Bitwise the loss that
    /// <c>LossAndGradientColumns</c> returns for the same logits.
    /// </summary>
    public static double LossColumns(ReadOnlySpan<float> logitsT, ReadOnlySpan<long> targets, int vocabulary, int threads = 1) =>
        LossColumns(logitsT, targets, vocabulary, threads, SimdWidths.Best);

    internal static double LossColumns(ReadOnlySpan<float> logitsT, ReadOnlySpan<long> targets, int vocabulary, int threads,
                                       SimdWidth width)
    {
        int rows = Check(logitsT, targets, vocabulary);
        unsafe
        {
            fixed (float* z = logitsT)
            fixed (long* y = targets)
                return ColumnCrossEntropy.Run(z, null, y, rows, vocabulary, threads, width);
        }
    }

    /// <summary>
    /// The softmax head's training loss from vocabulary-major logits ([V, N], with their graph): the mean
    /// cross-entropy, its gradient sent back through the graph unless the loss is not finite. The gradient is written
    /// over the logits' own memory (the head's backward pass needs its inputs, not its output): the logits are spent.
    /// </summary>
    public static double BackwardTransposed(Tensor logitsT, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var z = logitsT.detach().contiguous();
        var y = targets.contiguous();
        double loss = LossAndGradientColumnsInPlace(TensorMemory.Of<float>(z), TensorMemory.Of<long>(y), (int)z.shape[0],
            get_num_threads());
        if (double.IsFinite(loss)) logitsT.backward([z]);
        return loss;
    }

    /// <summary>The mean cross-entropy of vocabulary-major logits ([V, N], no graph needed): evaluation, loss only.</summary>
    public static double Loss(Tensor logitsT, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var z = logitsT.detach().contiguous();
        var y = targets.contiguous();
        return LossColumns(TensorMemory.Of<float>(z), TensorMemory.Of<long>(y), (int)z.shape[0], get_num_threads());
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
        double loss = LossAndGradient(TensorMemory.Of<float>(z), TensorMemory.Of<long>(y), TensorMemory.Of<float>(gradient),
            width, get_num_threads());
        if (double.IsFinite(loss)) logits.backward([gradient]);
        return loss;
    }

    private static int Check(ReadOnlySpan<float> logits, ReadOnlySpan<long> targets, Span<float> gradient, int width)
    {
        int rows = Check(logits, targets, width);
        if (gradient.Length != logits.Length) throw new ArgumentException("the gradient is not the logits' shape");
        return rows;
    }

    private static int Check(ReadOnlySpan<float> logits, ReadOnlySpan<long> targets, int width)
    {
        if (width < 1 || logits.Length % width != 0)
            throw new ArgumentException($"{logits.Length} logits are not rows of {width}");
        int rows = logits.Length / width;
        if (rows == 0) throw new ArgumentException("no rows");
        if (targets.Length != rows) throw new ArgumentException($"{targets.Length} targets for {rows} rows");
        foreach (var t in targets)
            if (t < 0 || t >= width) throw new ArgumentException($"target {t} is outside 0..{width - 1}");
        return rows;
    }
}
