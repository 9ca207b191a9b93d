using TorchSharp;
using static TorchSharp.torch;

namespace VecLm.Regressor;

/// <summary>
/// TorchSharp's Adam (its state, options and saved form, so checkpoints of either load into the other), with a step
/// that holds every number it gives LibTorch. TorchSharp's own step turns β₁, 1 − β₁, β₂, 1 − β₂, ε, the bias
/// correction and the step size into temporary <see cref="Scalar"/>s that only the garbage collector frees; once a
/// call has read a Scalar's handle nothing refers to it, and a collection on another thread can free it while
/// LibTorch still reads it ("Expected false to be true … toFloat" in <c>addcdiv_</c>, or "Unknown scalar type" in
/// <c>mul_</c>: two CI runs on 2026-12-03, trainers in parallel tests; dotnet/TorchSharp#1434). Here each is made
/// once, held by a <c>using</c> until its calls return, and disposed. The arithmetic is TorchSharp's, operation for
/// operation, so the updates are the same bits (<c>OptimizerTests</c>). No weight decay, AMSGrad or maximising:
/// VecLm uses none. The class is called Adam because TorchSharp's saved form begins with the optimizer's class name
/// and refuses another: checkpoints written with TorchSharp's Adam load into this one, and the other way round.
/// </summary>
internal sealed class Adam : TorchSharp.Modules.Adam
{
    public Adam(IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr, double beta1, double beta2,
        double eps) : base(parameters, lr, beta1, beta2, eps)
    {
    }

    public override Tensor step(Func<Tensor>? closure = null) => _step<TorchSharp.Modules.ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value, lr = options.LearningRate!.Value;
        using Scalar b1 = beta1.ToScalar(), rest1 = (1 - beta1).ToScalar();
        using Scalar b2 = beta2.ToScalar(), rest2 = (1 - beta2).ToScalar();
        using Scalar eps = options.eps!.Value.ToScalar();
        foreach (var param in group.Parameters)
        {
            var grad = param.grad;
            if (grad is null) continue;
            var state = (State)_state[param.Handle];
            state.step += 1;
            double correction1 = 1 - Math.Pow(beta1, state.step), correction2 = 1 - Math.Pow(beta2, state.step);
            using Scalar root = Math.Sqrt(correction2).ToScalar(), stepSize = (-(lr / correction1)).ToScalar();
            state.exp_avg.mul_(b1).add_(grad, alpha: rest1);
            state.exp_avg_sq.mul_(b2).addcmul_(grad, grad, value: rest2);
            var denom = state.exp_avg_sq.sqrt().div_(root).add_(eps, Scalars.One);
            param.addcdiv_(state.exp_avg, denom, value: stepSize);
        }
    }, closure);
}
