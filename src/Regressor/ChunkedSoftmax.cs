using System.Numerics;
using System.Runtime.CompilerServices;
using static TorchSharp.torch;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace VecLm.Regressor;

/// <summary>
/// The column softmax of vocabulary-major logits ([V, N], column i is position i's logits) taken a chunk of vocabulary
/// rows at a time, each chunk read while it is still in cache (the online softmax of Milakov &amp; Gimelshein 2018, a
/// chunk at a time). <see cref="Open"/> turns a chunk into <c>exp(z − m)</c> with m its own column maxima, and sums
/// them; <see cref="Fold"/> merges the chunk's maxima and sums into the running ones (<c>S ← S·e^(M−M′) + s·e^(m−M′)</c>);
/// once every chunk is folded, <see cref="Scale"/> gives a chunk's gradient rows, <c>exp(z − m)·e^(m − M)/(S·N)</c>,
/// into a chunk-sized table. Every call works on a range of columns, so columns can be spread over threads, and runs
/// through TensorPrimitives (Vector512 → 256 → 128 → scalar, chosen by the CPU). At a million words the 16-column
/// kernel (<see cref="ColumnCrossEntropy"/>) read its 64 MB block from memory three times; here each row of the
/// 4.5 GB table is read from memory once after the GEMM wrote it.
/// </summary>
internal static class ChunkedSoftmax
{
    /// <summary>
    /// Pass one of a column softmax over <c>W·xᵀ + b</c> ([V, H] · [H, N] + [V]) against the targets
    /// <paramref name="y"/>: per chunk of <paramref name="rows"/> vocabulary rows, its logits into
    /// <paramref name="chunkAt"/>(start, length) (a contiguous [length, N] tensor: a view of a whole [V, N] buffer that
    /// keeps the exponentials for a gradient, or the same chunk-sized buffer every time), each position's target
    /// logit picked, then <see cref="Open"/> and <see cref="Fold"/> while the chunk is in cache. The chunk's column
    /// maxima go to <paramref name="maxima"/> at c·N when it holds a slot per chunk, else at 0. Leaves the running
    /// maxima and sums in <paramref name="runningMax"/> and <paramref name="runningSum"/> (N each) and returns the mean
    /// cross-entropy <c>ln S + M − z_y</c>. With <paramref name="best"/>, the row of the largest logit of each of the
    /// first <c>best.Length</c> positions goes there (the first such row on a tie, as LibTorch's argmax).
    /// </summary>
    public static unsafe double Forward(Tensor weight, Tensor bias, Tensor x, ReadOnlySpan<long> y, int rows, int threads,
                                        Func<long, int, Tensor> chunkAt, float[] maxima, float[] runningMax, float[] runningSum,
                                        int[]? best = null)
    {
        float[]? bestLogit = null;
        if (best is not null)
        {
            if (best.Length > x.shape[0]) throw new ArgumentException($"an argmax for {best.Length} of {x.shape[0]} positions");
            bestLogit = new float[best.Length];
            Array.Fill(bestLogit, float.NegativeInfinity);
            Array.Clear(best);
        }
        int n = (int)x.shape[0];
        long v = weight.shape[0];
        int chunks = (int)((v + rows - 1) / rows);
        bool perChunk = maxima.Length >= (long)chunks * n;
        var sum = new float[n];
        var scratch = new float[n];
        var targetLogit = new float[n];
        Array.Fill(runningMax, float.NegativeInfinity, 0, n);
        Array.Clear(runningSum, 0, n);
        var xt = x.t();
        for (int c = 0; c < chunks; c++)
        {
            long start = (long)c * rows;
            int len = (int)Math.Min(rows, v - start);
            float* chunk;
            using (var step = NewDisposeScope())
            using (no_grad())
            {
                var zc = chunkAt(start, len);
                zc.copy_(bias.narrow(0, start, len).unsqueeze(1).expand(len, n));
                zc.addmm_(weight.narrow(0, start, len), xt, 1, 1);
                chunk = TensorMemory.Floats(zc);
            }
            for (int i = 0; i < n; i++)
                if (y[i] >= start && y[i] < start + len) targetLogit[i] = chunk[(y[i] - start) * n + i];
            if (best is not null) Argmax(chunk, len, n, (int)start, bestLogit!, best);
            var max = maxima.AsMemory(perChunk ? c * n : 0, n);
            nint at = (nint)chunk;
            OverColumns(n, threads, (from, count) =>
            {
                var rowsOf = new Span<float>((float*)at, len * n);
                Open(rowsOf, len, n, from, count, max.Span, sum);
                Fold(runningMax, runningSum, max.Span, sum, scratch, from, count);
            });
        }
        double loss = 0;
        for (int i = 0; i < n; i++) loss += Math.Log(runningSum[i]) + runningMax[i] - targetLogit[i];
        return loss / n;
    }

    /// <summary>
    /// The mean cross-entropy of <c>W·xᵀ + b</c> against <paramref name="targets"/> without a graph (validation), a
    /// chunk of about <paramref name="chunkBytes"/> of logits at a time in <paramref name="buffer"/> (made or grown
    /// here, kept by the caller between calls), with <see cref="Forward"/>'s argmax into <paramref name="best"/>.
    /// </summary>
    public static double Value(Tensor weight, Tensor bias, Tensor x, Tensor targets, int chunkBytes, int threads,
                               ref Tensor? buffer, int[]? best = null)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var rowsOfX = x.contiguous();
        int n = (int)rowsOfX.shape[0];
        int rows = (int)Math.Clamp(chunkBytes / (4L * n), 1, weight.shape[0]);
        if (buffer is null || buffer.numel() < (long)rows * n)
        {
            buffer?.Dispose();
            buffer = empty((long)rows * n).DetachFromDisposeScope();
        }
        var chunk = buffer;
        var y = TensorMemory.Of<long>(targets.contiguous()).ToArray();
        return Forward(weight, bias, rowsOfX, y, rows, threads, (_, len) => chunk.narrow(0, 0, (long)len * n).view(len, n),
                       new float[n], new float[n], new float[n], best);
    }

    /// <summary>
    /// Folds a chunk's rows (<paramref name="rows"/> × <paramref name="n"/>, the first of them vocabulary row
    /// <paramref name="start"/>) into the running argmax of the first <c>best.Length</c> columns: a row replaces the best
    /// only where its logit is strictly larger, so a tie keeps the earlier row. Vector&lt;T&gt; lanes, then scalar.
    /// </summary>
    internal static unsafe void Argmax(float* chunk, int rows, int n, int start, float[] bestLogit, int[] best)
    {
        int count = best.Length, width = Vector<float>.Count;
        fixed (float* bl = bestLogit)
        fixed (int* bi = best)
            for (int r = 0; r < rows; r++)
            {
                float* row = chunk + (long)r * n;
                int i = 0;
                if (Vector.IsHardwareAccelerated)
                {
                    var id = new Vector<int>(start + r);
                    for (; i <= count - width; i += width)
                    {
                        var z = Unsafe.ReadUnaligned<Vector<float>>(row + i);
                        var b = Unsafe.ReadUnaligned<Vector<float>>(bl + i);
                        var larger = Vector.GreaterThan(z, b);
                        if (larger == Vector<int>.Zero) continue;
                        Unsafe.WriteUnaligned(bl + i, Vector.ConditionalSelect(larger, z, b));
                        var ids = Unsafe.ReadUnaligned<Vector<int>>(bi + i);
                        Unsafe.WriteUnaligned(bi + i, Vector.ConditionalSelect(larger, id, ids));
                    }
                }
                for (; i < count; i++)
                    if (row[i] > bl[i])
                    {
                        bl[i] = row[i];
                        bi[i] = start + r;
                    }
            }
    }

    /// <summary>
    /// Rows <paramref name="rows"/> × <paramref name="n"/> of <paramref name="chunk"/> (row-major), columns
    /// <paramref name="from"/> … <paramref name="from"/> + <paramref name="count"/> − 1: the column maxima into
    /// <paramref name="max"/>, <c>exp(z − max)</c> written over the logits, their column sums into <paramref name="sum"/>.
    /// </summary>
    public static void Open(Span<float> chunk, int rows, int n, int from, int count, Span<float> max, Span<float> sum)
    {
        var m = max.Slice(from, count);
        var s = sum.Slice(from, count);
        chunk.Slice(from, count).CopyTo(m);
        for (int r = 1; r < rows; r++) TensorPrimitives.Max(m, chunk.Slice(r * n + from, count), m);
        s.Clear();
        for (int r = 0; r < rows; r++)
        {
            var row = chunk.Slice(r * n + from, count);
            TensorPrimitives.Subtract(row, m, row);
            TensorPrimitives.Exp(row, row);
            TensorPrimitives.Add(s, row, s);
        }
    }

    /// <summary>
    /// Merges a chunk's column maxima <paramref name="max"/> and sums <paramref name="sum"/> into the running
    /// <paramref name="runningMax"/> (−∞ before the first chunk) and <paramref name="runningSum"/> (0), on the columns
    /// of the range; <paramref name="scratch"/> holds at least as many values as the spans.
    /// </summary>
    public static void Fold(Span<float> runningMax, Span<float> runningSum, ReadOnlySpan<float> max, ReadOnlySpan<float> sum,
                            Span<float> scratch, int from, int count)
    {
        var bigM = runningMax.Slice(from, count);
        var bigS = runningSum.Slice(from, count);
        var m = max.Slice(from, count);
        var s = sum.Slice(from, count);
        var t = scratch.Slice(from, count);
        // e^(−∞ − M′) is 0; M′ is finite unless a whole column is −∞ or NaN, which the loss then reports.
        TensorPrimitives.Max(bigM, m, t);
        // S·e^(M − M′) + s·e^(m − M′), vectorised: the two exponentials in place, then one fused step.
        TensorPrimitives.Subtract(bigM, t, bigM);
        TensorPrimitives.Exp(bigM, bigM);
        TensorPrimitives.Multiply(bigS, bigM, bigS);
        TensorPrimitives.Subtract(m, t, bigM);
        TensorPrimitives.Exp(bigM, bigM);
        TensorPrimitives.FusedMultiplyAdd(s, bigM, bigS, bigS);
        t.CopyTo(bigM);
    }

    /// <summary>
    /// The factor that turns a chunk's <c>exp(z − m)</c> into the gradient's softmax part: <c>e^(m − M)/(S·N)</c>, per
    /// column of the range, into <paramref name="factor"/>; <paramref name="inverse"/> holds <c>1/(S·N)</c>.
    /// </summary>
    public static void Factor(ReadOnlySpan<float> max, ReadOnlySpan<float> runningMax, ReadOnlySpan<float> inverse,
                              Span<float> factor, int from, int count)
    {
        var f = factor.Slice(from, count);
        TensorPrimitives.Subtract(max.Slice(from, count), runningMax.Slice(from, count), f);
        TensorPrimitives.Exp(f, f);
        TensorPrimitives.Multiply(f, inverse.Slice(from, count), f);
    }

    /// <summary>Each row of the chunk times <paramref name="factor"/>, column by column, into <paramref name="gradient"/>.</summary>
    public static void Scale(ReadOnlySpan<float> chunk, int rows, int n, ReadOnlySpan<float> factor, Span<float> gradient,
                             int from, int count)
    {
        var f = factor.Slice(from, count);
        for (int r = 0; r < rows; r++)
            TensorPrimitives.Multiply(chunk.Slice(r * n + from, count), f, gradient.Slice(r * n + from, count));
    }

    /// <summary>
    /// Runs <paramref name="part"/>(from, count) over <paramref name="n"/> columns in <paramref name="threads"/> ranges
    /// of whole cache lines, on the caller's thread when there is one range.
    /// </summary>
    public static void OverColumns(int n, int threads, Action<int, int> part)
    {
        int parts = Math.Max(1, Math.Min(threads, n / 64));
        if (parts == 1) { part(0, n); return; }
        int per = (n / parts + 15) & ~15;
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, p =>
        {
            int from = Math.Min(n, p * per), to = p == parts - 1 ? n : Math.Min(n, from + per);
            if (to > from) part(from, to - from);
        });
    }
}
