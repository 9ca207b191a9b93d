using static TorchSharp.torch;

namespace VecLm.Regressor;

/// <summary>
/// The softmax head's training step without autograd's tables: the logits W·xᵀ + b are computed into one buffer kept
/// from step to step, <see cref="FusedCrossEntropy"/> turns them into their gradient G in place, and G goes into the
/// head's gradients and back to the LSTM by hand — ∂W += G·x (<c>addmm_</c> into W's gradient), ∂b += Σ G, ∂x = Gᵀ·W,
/// then <c>x.backward(∂x)</c> through the dropout and the LSTM. Through autograd the same step allocated a fresh
/// V × N logits table, copied the bias into it, and made a fresh V × H gradient to add into ∂W: at a million words
/// 4.5 GB and 1 GB of new pages every step, which the kernel zeroes on first touch (a third of the step in a profile,
/// 2026-12-03). The numbers are autograd's (<c>SoftmaxHeadTests</c> compares both on the same weights).
/// </summary>
internal sealed class FusedSoftmaxHead : IDisposable
{
    private Tensor? buffer;   // V × N floats for the largest N seen; a step's logits, then its gradient

    /// <summary>
    /// The mean cross-entropy of <paramref name="model"/>'s head over <paramref name="features"/> ([N, H], with their
    /// graph) against <paramref name="targets"/> ([N]); the gradients are accumulated unless the loss is not finite.
    /// </summary>
    public double Backward(RnnModel model, Tensor features, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var (dropped, weight, bias) = model.HeadInputs(features);            // [N, H] with graph, [V, H], [V]
        var x = dropped.detach();
        long n = x.shape[0], v = weight.shape[0];
        var logits = Logits(v, n);                                          // [V, N]
        using (no_grad())
        {
            logits.copy_(bias.unsqueeze(1).expand(v, n));
            logits.addmm_(weight, x.t(), 1, 1);
        }
        double loss = FusedCrossEntropy.LossAndGradientColumnsInPlace(TensorMemory.Of<float>(logits),
            TensorMemory.Of<long>(targets.contiguous()), (int)v, get_num_threads());
        if (!double.IsFinite(loss)) return loss;
        Tensor dx;
        using (no_grad())
        {
            Accumulate(weight).addmm_(logits, x, 1, 1);                    // [V, N]·[N, H]
            Accumulate(bias).add_(logits.sum(1), Scalars.One);
            dx = logits.t().mm(weight);                                     // [N, V]·[V, H]
        }
        dropped.backward([dx]);
        return loss;
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

    /// <summary>The parameter's gradient, made (zero) on the first step; <c>zero_grad</c> zeroes it between steps.</summary>
    private static Tensor Accumulate(Tensor parameter)
    {
        if (parameter.grad is { } grad) return grad;
        parameter.grad = zeros_like(parameter);   // the parameter holds it; this handle goes with the step's scope
        return parameter.grad!;
    }

    public void Dispose() => buffer?.Dispose();
}
