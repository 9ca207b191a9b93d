using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace VecLm.Regressor;

/// <summary>
/// NLLvMF (Kumar &amp; Tsvetkov, ICLR 2019): the negative log-likelihood of the target direction e(w) (a unit row)
/// under a von Mises–Fisher distribution on the sphere S^{m−1} whose mean direction is ŷ/‖ŷ‖ and whose
/// concentration is κ = ‖ŷ‖:
/// <code>
///   NLLvMF(ŷ; e(w)) = −log C_m(κ) − ŷ·e(w),      C_m(κ) = κ^{v} / ((2π)^{m/2} · I_v(κ)),  v = m/2 − 1
/// </code>
/// with I_v the modified Bessel function of the first kind. Training uses the paper's approximation of −log C_m,
/// <code>
///   A(κ) = √((v+1)² + κ²) − (v−1)·log(v − 1 + √((v+1)² + κ²)),
/// </code>
/// whose derivative κ / (v − 1 + √((v+1)² + κ²)) approximates the true one, the Bessel ratio I_{v+1}(κ)/I_v(κ)
/// (right in gradient, not in value), and the paper's second regularised form, which scales the likelihood term
/// by λ₂ = 0.1 so that κ stays moderate:
/// <code>
///   loss = A(κ) − λ₂ · ŷ·e(w) − A*,      A* = min_κ [A(κ) − λ₂ κ]
/// </code>
/// The constant A* (gradient-free) makes the loss non-negative: it is 0 exactly when ŷ points at e(w) with the
/// best concentration, so values are comparable across runs and "the loss halved" means something.
/// Here m is the vectors' dimension (64 in VecLm; the authors' code hard-codes 300).
/// </summary>
public sealed class VmfLoss : OutputLoss
{
    private readonly TargetVectors vectors;

    public const double DefaultLambda = 0.1;

    public VmfLoss(TargetVectors vectors, double lambda = DefaultLambda)
    {
        this.vectors = vectors;
        Lambda = lambda;
        V = vectors.Dim / 2.0 - 1;
        Offset = MinimumOf(V, lambda);
        lambdaScalar = lambda.ToScalar();
        offsetScalar = Offset.ToScalar();
    }

    private readonly Scalar lambdaScalar, offsetScalar;   // held: see Scalars

    public double Lambda { get; }
    /// <summary>The Bessel order v = m/2 − 1.</summary>
    public double V { get; }
    /// <summary>A* = min over κ of A(κ) − λκ, subtracted so the loss is ≥ 0.</summary>
    public double Offset { get; }

    public override Tensor Forward(Tensor output, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var target = vectors.Rows(targets);                                 // [N, m], unit rows
        var kappa = output.norm(1);                                         // [N]
        var dot = (output * target).sum(1);                                 // [N] = κ·cos(ŷ, e(w))
        var loss = LogNormalizerApprox(kappa, V) - dot * lambdaScalar - offsetScalar;   // [N]
        return loss.mean().MoveToOuterDisposeScope();
    }

    /// <summary>A(κ), the approximation of −log C_m(κ), elementwise.</summary>
    public static Tensor LogNormalizerApprox(Tensor kappa, double v)
    {
        using var square = ((v + 1) * (v + 1)).ToScalar();   // held for the call: see Scalars
        using var vMinusOne = (v - 1).ToScalar();
        using var squared = kappa.square();
        using var sum = squared.Plus(square);
        using var root = sum.sqrt();
        using var inner = root.Plus(vMinusOne);
        using var log = inner.log();
        using var scaled = log * vMinusOne;
        return root - scaled;
    }

    /// <summary>A(κ) for one value, in double precision.</summary>
    public static double LogNormalizerApprox(double kappa, double v)
    {
        double root = Math.Sqrt((v + 1) * (v + 1) + kappa * kappa);
        return root - (v - 1) * Math.Log(v - 1 + root);
    }

    /// <summary>
    /// min_κ≥0 A(κ) − λκ: where A′(κ) = κ / (v − 1 + s) = λ with s = √((v+1)² + κ²), i.e. κ = λ(v − 1 + s), a
    /// quadratic in κ: (1/λ² − 1)κ² − 2(v−1)κ/λ + (v−1)² − (v+1)² = 0 (its positive root).
    /// </summary>
    public static double MinimumOf(double v, double lambda)
    {
        if (lambda is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(lambda), "λ must be in (0, 1)");
        double a = 1 / (lambda * lambda) - 1, b = -2 * (v - 1) / lambda, c = (v - 1) * (v - 1) - (v + 1) * (v + 1);
        double kappa = (-b + Math.Sqrt(b * b - 4 * a * c)) / (2 * a);
        return LogNormalizerApprox(kappa, v) - lambda * kappa;
    }
}
