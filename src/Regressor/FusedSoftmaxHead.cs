using static TorchSharp.torch;

namespace VecLm.Regressor;

/// <summary>
/// The softmax head's training step without autograd's tables, a chunk of vocabulary rows at a time. Pass one, per
/// chunk: the chunk's logits <c>W_c·xᵀ + b_c</c> into a [V, N] buffer kept from step to step, and while they are in
/// cache their column maxima, exponentials and sums (<see cref="ChunkedSoftmax"/>), folded into the running ones. Pass
/// two, per chunk: its gradient <c>G_c = softmax − onehot</c> (over N) into a chunk-sized table, then ∂W_c += G_c·x,
/// ∂b_c += Σ G_c and ∂x += G_cᵀ·W_c while G_c is in cache; last, <c>x.backward(∂x)</c> through the dropout and the
/// LSTM. The buffer is written once and read once per step. Through autograd the same step allocated a fresh V × N
/// logits table and a fresh V × H gradient every step (at a million words 4.5 GB and 1 GB of new pages, a third of
/// the step in a profile), and the 16-column kernel that followed (<see cref="ColumnCrossEntropy"/>) read the whole
/// table three times from memory at that size (2026-12-03). The numbers are autograd's to float rounding
/// (<c>SoftmaxHeadTests</c> compares both on the same weights).
/// </summary>
internal sealed class FusedSoftmaxHead(int chunkBytes = FusedSoftmaxHead.DefaultChunkBytes) : IDisposable
{
    /// <summary>
    /// About how many bytes of logits a chunk holds: it stays in the last-level cache between the GEMM that writes it
    /// and the passes that read it. At a million words (one thread, 2026-12-03) 4 MB chunks took the softmax part of a
    /// step from 2.2 s (1 MB) to 1.0–1.4 s; 16 MB gave the same as 4.
    /// </summary>
    public const int DefaultChunkBytes = 4 << 20;

    private Tensor? buffer;     // V × N floats for the largest N seen: a step's exponentials, chunk by chunk
    private Tensor? gradient;   // one chunk's gradient rows
    private Tensor? valueBuffer; // one chunk of a validation's logits
    private float[] maxima = []; // each chunk's column maxima, chunk after chunk

    /// <summary>Threads for the chunks' element-wise passes (columns split between them); null: LibTorch's count.</summary>
    internal int? Threads { get; init; }

    /// <summary>
    /// The mean cross-entropy of <paramref name="model"/>'s head over <paramref name="features"/> ([N, H], with their
    /// graph) against <paramref name="targets"/> ([N]); the gradients are accumulated unless the loss is not finite.
    /// </summary>
    public unsafe double Backward(RnnModel model, Tensor features, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var (dropped, weight, bias) = model.HeadInputs(features);            // [N, H] with graph, [V, H], [V]
        var x = dropped.detach();
        int n = (int)x.shape[0];
        long v = weight.shape[0];
        int rows = (int)Math.Clamp(chunkBytes / (4L * n), 1, v);
        int chunks = (int)((v + rows - 1) / rows);
        var logits = Logits(v, n);                                          // [V, N]
        var y = TensorMemory.Of<long>(targets.contiguous()).ToArray();
        if (maxima.Length < (long)chunks * n) maxima = new float[(long)chunks * n];
        var runningMax = new float[n];
        var runningSum = new float[n];
        var scratch = new float[n];
        int threads = Threads ?? get_num_threads();
        float* z = TensorMemory.Floats(logits);
        double loss = ChunkedSoftmax.Forward(weight, bias, x, y, rows, threads, (start, len) => logits.narrow(0, start, len),
                                             maxima, runningMax, runningSum);
        if (!double.IsFinite(loss)) return loss;

        var inverse = new float[n];
        for (int i = 0; i < n; i++) inverse[i] = (float)(1.0 / ((double)runningSum[i] * n));
        var weightGrad = Accumulate(weight);
        var biasGrad = TensorMemory.Of<float>(Accumulate(bias));
        var dx = zeros(n, x.shape[1]);
        var g = Gradient(rows, n);
        float* gp = TensorMemory.Floats(g);
        float share = 1f / n;
        for (int c = 0; c < chunks; c++)
        {
            long start = (long)c * rows;
            int len = (int)Math.Min(rows, v - start);
            nint chunk = (nint)(z + start * n);
            var max = maxima.AsMemory(c * n, n);
            ChunkedSoftmax.OverColumns(n, threads, (from, count) =>
            {
                ChunkedSoftmax.Factor(max.Span, runningMax, inverse, scratch, from, count);
                ChunkedSoftmax.Scale(new ReadOnlySpan<float>((float*)chunk, len * n), len, n, scratch,
                    new Span<float>(gp, len * n), from, count);
            });
            for (int i = 0; i < n; i++)
                if (y[i] >= start && y[i] < start + len) gp[(y[i] - start) * n + i] -= share;
            var rowsOfG = new ReadOnlySpan<float>(gp, len * n);
            for (int r = 0; r < len; r++)
                biasGrad[(int)(start + r)] += System.Numerics.Tensors.TensorPrimitives.Sum(rowsOfG.Slice(r * n, n));
            using var step = NewDisposeScope();
            using (no_grad())
            {
                var gc = g.narrow(0, 0, len);                                  // [len, N]
                weightGrad.narrow(0, start, len).addmm_(gc, x, 1, 1);         // ∂W_c += G_c·x
                dx.addmm_(gc.t(), weight.narrow(0, start, len), 1, 1);        // ∂x += G_cᵀ·W_c
            }
        }
        dropped.backward([dx]);
        return loss;
    }

    /// <summary>
    /// The mean cross-entropy of the head over <paramref name="features"/> ([N, H]) against <paramref name="targets"/>
    /// without a graph (validation, the model in eval mode), a chunk of vocabulary rows at a time in one chunk-sized
    /// buffer kept between calls; with <paramref name="best"/>, the argmax word of each of its first positions. The
    /// whole [V, N] table at once cost fresh pages every batch (1.4 GB for 350 positions at a million words), and its
    /// float sums over a million rows were 5e-4 off (ChunkedSoftmax.Forward's are within 3e-6 of a double sum).
    /// </summary>
    public double Value(RnnModel model, Tensor features, Tensor targets, int[]? best = null)
    {
        using var scope = NewDisposeScope();
        var (dropped, weight, bias) = model.HeadInputs(features);           // eval mode: the features as they are
        return ChunkedSoftmax.Value(weight, bias, dropped, targets, chunkBytes, Threads ?? get_num_threads(), ref valueBuffer, best);
    }

    /// <summary>A view of the kept buffer as [V, N], grown when a step has more positions than any before.</summary>
    private Tensor Logits(long v, long n)
    {
        if (buffer is null || buffer.numel() < v * n)
        {
            buffer?.Dispose();
            buffer = empty(v * n).DetachFromDisposeScope();
        }
        return buffer.narrow(0, 0, v * n).view(v, n);
    }

    /// <summary>A view of the kept chunk gradient as [rows, N].</summary>
    private Tensor Gradient(int rows, int n)
    {
        if (gradient is null || gradient.numel() < (long)rows * n)
        {
            gradient?.Dispose();
            gradient = empty((long)rows * n).DetachFromDisposeScope();
        }
        return gradient.narrow(0, 0, (long)rows * n).view(rows, n);
    }

    /// <summary>The parameter's gradient, made (zero) on the first step; <c>zero_grad</c> zeroes it between steps.</summary>
    private static Tensor Accumulate(Tensor parameter)
    {
        if (parameter.grad is { } grad) return grad;
        parameter.grad = zeros_like(parameter);   // the parameter holds it; this handle goes with the step's scope
        return parameter.grad!;
    }

    public void Dispose()
    {
        buffer?.Dispose();
        gradient?.Dispose();
        valueBuffer?.Dispose();
    }
}
