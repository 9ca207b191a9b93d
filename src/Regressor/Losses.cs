using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace VecLm.Regressor;

/// <summary>
/// A training loss over the head's output. Each takes the output rows [N, out] and the target word ids [N] and
/// returns the mean loss (a scalar). The regression losses compare against a <see cref="TargetVectors"/> matrix
/// (unit rows); notation as in shared/notes/losses.md: ŷ the output, e(w) the target word's row.
/// </summary>
public abstract class OutputLoss
{
    public abstract Tensor Forward(Tensor output, Tensor targets);

    /// <summary>The mean loss's value alone, no graph (validation): <see cref="Forward"/> unless a loss has a faster way.</summary>
    public virtual double Value(Tensor output, Tensor targets)
    {
        using var loss = Forward(output, targets);
        return loss.item<float>();
    }

    /// <summary>
    /// The training step's half of the loss: its value, and its gradient sent back through <paramref name="output"/>'s
    /// graph — unless the value is not finite, when nothing is sent (the step is then skipped).
    /// </summary>
    public virtual double Backward(Tensor output, Tensor targets)
    {
        using var loss = Forward(output, targets);
        double value = loss.item<float>();
        if (double.IsFinite(value)) loss.backward();
        return value;
    }

    /// <summary>
    /// A training step's loss from the LSTM's <paramref name="features"/> ([N, H], with their graph): the head, the
    /// loss and its backward pass. A loss may lay out the head's output as suits it (<see cref="SoftmaxLoss"/> does).
    /// </summary>
    public virtual double TrainingStep(RnnModel model, Tensor features, Tensor targets)
    {
        using var output = model.Head(features);                            // [N, out]
        return Backward(output, targets);
    }

    /// <param name="margin">γ of the max-margin loss.</param>
    /// <param name="vmfLambda">λ₂ of the regularised NLLvMF loss.</param>
    /// <param name="counts">The training text's unigram counts (the sampled loss's prior and proposal).</param>
    /// <param name="negatives">Words sampled per batch by the sampled loss.</param>
    public static OutputLoss Create(LossKind kind, TargetVectors? targets, double margin = MaxMarginLoss.DefaultMargin,
                                    double vmfLambda = VmfLoss.DefaultLambda, long[]? counts = null,
                                    int negatives = SampledLoss.DefaultNegatives) => kind switch
    {
        LossKind.Softmax => new SoftmaxLoss(),
        LossKind.Cosine => new CosineLoss(Require(targets)),
        LossKind.L2 => new L2Loss(Require(targets)),
        LossKind.MaxMargin => new MaxMarginLoss(Require(targets), margin),
        LossKind.Vmf => new VmfLoss(Require(targets), vmfLambda),
        LossKind.Sampled => new SampledLoss(Require(targets),
            counts ?? throw new ArgumentException("the sampled loss needs the training text's word counts"), negatives),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown loss"),
    };

    private static TargetVectors Require(TargetVectors? targets) =>
        targets ?? throw new ArgumentException("a regression loss needs target vectors");
}

/// <summary>Cross-entropy of the logits against the target id (the softmax baseline).</summary>
public sealed class SoftmaxLoss : OutputLoss
{
    public override Tensor Forward(Tensor output, Tensor targets) => F.cross_entropy(output, targets);

    /// <summary>The same loss with its gradient computed in one fused pass (<see cref="FusedCrossEntropy"/>).</summary>
    public override double Backward(Tensor output, Tensor targets) => FusedCrossEntropy.Backward(output, targets);

    /// <summary>The logits computed vocabulary-major (<see cref="RnnModel.HeadTransposed"/>) and the fused loss on that layout.</summary>
    public override double TrainingStep(RnnModel model, Tensor features, Tensor targets)
    {
        using var logitsT = model.HeadTransposed(features);                 // [V, N]
        return FusedCrossEntropy.BackwardTransposed(logitsT, targets);
    }
}

/// <summary>1 − cos(ŷ, e(w)), the default regression loss.</summary>
public sealed class CosineLoss(TargetVectors vectors) : OutputLoss
{
    public override Tensor Forward(Tensor output, Tensor targets)
    {
        using var target = vectors.Rows(targets);                           // [N, m]
        using var cos = F.cosine_similarity(output, target, dim: 1, eps: 1e-8); // [N]
        using var distance = 1 - cos;
        return distance.mean();
    }
}

/// <summary>‖ŷ − e(w)‖², summed over the m dimensions, averaged over the N positions.</summary>
public sealed class L2Loss(TargetVectors vectors) : OutputLoss
{
    public override Tensor Forward(Tensor output, Tensor targets)
    {
        using var target = vectors.Rows(targets);
        using var diff = output - target;
        using var squared = diff.square().sum(1);
        return squared.mean();
    }
}

/// <summary>
/// Max-margin, as in Kumar &amp; Tsvetkov's released code: max(0, γ + cos(ŷ, e(w′)) − cos(ŷ, e(w))) with γ = 0.5 and
/// one negative, the most violating word w′ = argmax_{j≠w} [cos(ŷ, e_j) − cos(e(w), e_j)] (chosen without gradient).
/// </summary>
public sealed class MaxMarginLoss(TargetVectors vectors, double margin = MaxMarginLoss.DefaultMargin) : OutputLoss
{
    public const double DefaultMargin = 0.5;
    private readonly VecLm.Decoder.ExactIndex index = new(vectors.ToArray(), vectors.Dim);

    public double Margin { get; } = margin;

    public override Tensor Forward(Tensor output, Tensor targets)
    {
        using var predicted = F.normalize(output, p: 2, dim: 1);            // [N, m], unit rows
        using var target = vectors.Rows(targets);                           // [N, m]
        using var negative = MostViolating(predicted, target, targets);     // [N] ids
        using var negativeRows = vectors.Rows(negative);
        using var cosNegative = (predicted * negativeRows).sum(1);          // [N]
        using var cosPositive = (predicted * target).sum(1);                // [N]
        using var hinge = F.relu(Margin + cosNegative - cosPositive);
        return hinge.mean();
    }

    /// <summary>
    /// argmax_{j≠w} cos(ŷ, e_j) − cos(e(w), e_j) = argmax_{j≠w} (ŷ/‖ŷ‖ − e(w))·e_j: the nearest rows to the
    /// difference vector, by the Decoder's exact search (its blocked SIMD kernel; the [N, |V|] product and argmax in
    /// LibTorch took three times the cosine head's whole step). Ties go to the smaller id, as argmax's do.
    /// </summary>
    private Tensor MostViolating(Tensor predicted, Tensor target, Tensor targets)
    {
        using var _ = no_grad();
        using var difference = (predicted - target).contiguous();          // [N, m]
        var hits = index.SearchBatch(difference.data<float>().ToArray(), 2, get_num_threads());
        var truth = targets.data<long>().ToArray();
        var negatives = new long[hits.Length];
        for (int i = 0; i < hits.Length; i++)
            negatives[i] = hits[i][0].Id != truth[i] || hits[i].Length == 1 ? hits[i][0].Id : hits[i][1].Id;
        return tensor(negatives);
    }
}
