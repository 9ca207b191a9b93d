using static TorchSharp.torch;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace VecLm.Regressor;

/// <summary>
/// TorchSharp's Adam (its state, options and saved form, so checkpoints of either load into the other) with its step
/// done in one pass over each parameter's memory. TorchSharp's step is eight LibTorch calls per parameter (<c>mul_</c>,
/// <c>add_</c>, <c>mul_</c>, <c>addcmul_</c>, <c>sqrt</c>, division, <c>add_</c>, <c>addcdiv_</c>), each a pass over
/// the parameter, its gradient and the two moments: at a million words the softmax head's weight is 1 GB, and those
/// passes moved about 23 GB through memory a step, with a fresh 1 GB table for the square roots. Here the parameter is
/// taken in chunks of 4,096 values that stay in cache while <see cref="TensorPrimitives"/> applies the same formula,
/// operation for operation: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ)
/// + ε); 7 GB a step at a million words. Results agree with TorchSharp's step to float rounding
/// (<c>OptimizerTests</c>). TorchSharp's step also turned every number into a <see cref="TorchSharp.Scalar"/> that
/// only the finaliser freed, which twice failed a CI run mid-call ("toFloat", "Unknown scalar type"); this one makes
/// none. No weight decay, AMSGrad or maximising: VecLm uses none. The class is called Adam because TorchSharp's saved
/// form begins with the optimizer's class name and refuses another.
/// </summary>
internal sealed class Adam : TorchSharp.Modules.Adam
{
    private const int Chunk = 4096;

    public Adam(IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr, double beta1, double beta2, double eps)
        : base(parameters, lr, beta1, beta2, eps)
    {
    }

    public override Tensor step(Func<Tensor>? closure = null) => _step<TorchSharp.Modules.ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value, lr = options.LearningRate!.Value;
        float eps = (float)options.eps!.Value;
        foreach (var param in group.Parameters)
        {
            using var grad = param.grad;
            if (grad is null) continue;
            var state = (State)_state[param.Handle];
            state.step += 1;
            double correction1 = 1 - Math.Pow(beta1, state.step), correction2 = 1 - Math.Pow(beta2, state.step);
            var update = new Update((float)beta1, (float)(1 - beta1), (float)beta2, (float)(1 - beta2),
                (float)Math.Sqrt(correction2), eps, (float)(-(lr / correction1)));
            Apply(param, grad, state.exp_avg, state.exp_avg_sq, update);
        }
    }, closure);

    /// <summary>The numbers of one parameter's update, as TorchSharp passes them to LibTorch (floats).</summary>
    internal readonly record struct Update(float Beta1, float Rest1, float Beta2, float Rest2, float Root2, float Eps,
                                           float StepSize);

    private static unsafe void Apply(Tensor param, Tensor grad, Tensor m, Tensor v, Update update)
    {
        if (param.dtype != ScalarType.Float32 || !param.is_contiguous() || !grad.is_contiguous())
            throw new ArgumentException("Adam: float32 contiguous parameters and gradients only");
        var p = TensorMemory.Of<float>(param);
        fixed (float* pp = p, gp = TensorMemory.Of<float>(grad), mp = TensorMemory.Of<float>(m), vp = TensorMemory.Of<float>(v))
        {
            nint pa = (nint)pp, ga = (nint)gp, ma = (nint)mp, va = (nint)vp;
            int length = p.Length, chunks = (length + Chunk - 1) / Chunk;
            void Run(int c)
            {
                int start = c * Chunk, count = Math.Min(Chunk, length - start);
                Step(new Span<float>((float*)pa + start, count), new ReadOnlySpan<float>((float*)ga + start, count),
                     new Span<float>((float*)ma + start, count), new Span<float>((float*)va + start, count), update);
            }
            int threads = get_num_threads();
            if (threads <= 1 || chunks < 64) for (int c = 0; c < chunks; c++) Run(c);
            else Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, Run);
        }
    }

    /// <summary>One chunk: TorchSharp's step, operation for operation, with a stack scratch for g² and the denominator.</summary>
    internal static void Step(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, Update u)
    {
        Span<float> scratch = stackalloc float[Chunk];
        for (int start = 0; start < p.Length; start += Chunk)
        {
            int n = Math.Min(Chunk, p.Length - start);
            Span<float> pc = p.Slice(start, n), mc = m.Slice(start, n), vc = v.Slice(start, n), t = scratch[..n];
            ReadOnlySpan<float> gc = g.Slice(start, n);
            TensorPrimitives.Multiply(mc, u.Beta1, mc);                     // exp_avg.mul_(β₁)
            TensorPrimitives.MultiplyAdd(gc, u.Rest1, mc, mc);              //   .add_(g, alpha: 1 − β₁)
            TensorPrimitives.Multiply(vc, u.Beta2, vc);                     // exp_avg_sq.mul_(β₂)
            TensorPrimitives.Multiply(gc, gc, t);                           //   .addcmul_(g, g, value: 1 − β₂)
            TensorPrimitives.MultiplyAdd(t, u.Rest2, vc, vc);
            TensorPrimitives.Sqrt(vc, t);                                   // exp_avg_sq.sqrt()
            TensorPrimitives.Divide(t, u.Root2, t);                         //   / √(1 − β₂ᵗ)
            TensorPrimitives.Add(t, u.Eps, t);                              //   .add_(ε)
            TensorPrimitives.Divide(mc, t, t);                              // p.addcdiv_(exp_avg, denom, value: −step)
            TensorPrimitives.MultiplyAdd(t, u.StepSize, pc, pc);
        }
    }
}
