using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace VecLm.Regressor;

/// <summary>How a head's output is laid out for its loss: a row per position, or a row per output unit.</summary>
public enum OutputLayout
{
    /// <summary>[N, out]: one row per position (every regression head).</summary>
    PositionMajor,
    /// <summary>
    /// [out, N]: one column per position (the softmax head: MKL computes W·xᵀ faster than x·Wᵀ at |V| = 17,715, and
    /// the fused cross-entropy reads that layout as it is; see <see cref="RnnModel.Output"/>).
    /// </summary>
    VocabularyMajor,
}

/// <summary>
/// A criterion over the head's output, as word_language_model's: the model computes the output
/// (<see cref="RnnModel.Output"/>, in the <see cref="Layout"/> the loss asks for), the criterion sees it and the
/// target word ids [N] and returns the mean loss. Training (<see cref="Backward"/>) and validation
/// (<see cref="Value"/>) go through the same two calls for every head. The regression losses compare against a
/// <see cref="TargetVectors"/> matrix (unit rows); notation as in the README's losses: ŷ the output, e(w) the
/// target word's row.
/// </summary>
public abstract class OutputLoss
{
    /// <summary>The layout of the output this loss reads.</summary>
    public virtual OutputLayout Layout => OutputLayout.PositionMajor;

    /// <summary>The mean loss with its graph.</summary>
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
    /// A training step's loss from the LSTM's <paramref name="features"/> ([N, H], with their graph): the model's head
    /// (<see cref="RnnModel.Output"/>), then <see cref="Backward(Tensor, Tensor)"/>, unless a loss applies the head
    /// itself.
    /// </summary>
    public virtual double Backward(RnnModel model, Tensor features, Tensor targets)
    {
        using var output = model.Output(features, Layout);
        return Backward(output, targets);
    }

    /// <param name="margin">γ of the max-margin loss.</param>
    /// <param name="vmfLambda">λ₂ of the regularised NLLvMF loss.</param>
    /// <param name="counts">The training text's unigram counts (the sampled loss's prior and proposal).</param>
    /// <param name="negatives">Words sampled per batch by the sampled loss.</param>
    /// <param name="open">
    /// Training targets over a decode vocabulary too (<see cref="OpenTargets"/>): the cosine and L2 losses compare with
    /// those rows (the training vocabulary's ids are their first rows, so validation is unchanged), the sampled loss
    /// trains on them. Max-margin and vMF pass over every target row each step, so they keep the training vocabulary.
    /// </param>
    public static OutputLoss Create(LossKind kind, TargetVectors? targets, double margin = MaxMarginLoss.DefaultMargin,
                                    double vmfLambda = VmfLoss.DefaultLambda, long[]? counts = null,
                                    int negatives = SampledLoss.DefaultNegatives, OpenTargets? open = null) => kind switch
    {
        LossKind.Softmax => new SoftmaxLoss(),
        LossKind.Cosine => new CosineLoss(open?.All ?? Require(targets)),
        LossKind.L2 => new L2Loss(open?.All ?? Require(targets)),
        LossKind.MaxMargin => new MaxMarginLoss(Require(targets), margin),
        LossKind.Vmf => new VmfLoss(Require(targets), vmfLambda),
        LossKind.Sampled => new SampledLoss(Require(targets),
            counts ?? throw new ArgumentException("the sampled loss needs the training text's word counts"), negatives,
            open: open),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown loss"),
    };

    private static TargetVectors Require(TargetVectors? targets) =>
        targets ?? throw new ArgumentException("a regression loss needs target vectors");
}

/// <summary>
/// Cross-entropy of the logits against the target id (the softmax baseline), on vocabulary-major logits [V, N]; its
/// value and gradient in one fused pass (<see cref="FusedCrossEntropy"/>).
/// </summary>
public sealed class SoftmaxLoss : OutputLoss, IDisposable
{
    private readonly FusedSoftmaxHead head;

    /// <param name="chunkBytes">About how many bytes of logits the head holds per chunk of vocabulary rows (tests cross chunks with less).</param>
    public SoftmaxLoss(int chunkBytes = FusedSoftmaxHead.DefaultChunkBytes) => head = new FusedSoftmaxHead(chunkBytes);

    public override OutputLayout Layout => OutputLayout.VocabularyMajor;

    /// <summary>LibTorch's cross-entropy of <paramref name="logitsT"/> ([V, N]): the reference the fused path matches.</summary>
    public override Tensor Forward(Tensor logitsT, Tensor targets)
    {
        using var logits = logitsT.t();
        return F.cross_entropy(logits, targets);
    }

    public override double Value(Tensor logitsT, Tensor targets) => FusedCrossEntropy.Loss(logitsT, targets);

    public override double Backward(Tensor logitsT, Tensor targets) => FusedCrossEntropy.BackwardTransposed(logitsT, targets);

    /// <summary>The head applied by hand into a buffer kept between steps (<see cref="FusedSoftmaxHead"/>).</summary>
    public override double Backward(RnnModel model, Tensor features, Tensor targets) => head.Backward(model, features, targets);

    /// <summary>
    /// Validation's loss from the LSTM's <paramref name="features"/>, the head applied a chunk of vocabulary rows at a
    /// time, and the argmax word of the first <c>best.Length</c> positions into <paramref name="best"/>
    /// (<see cref="FusedSoftmaxHead.Value"/>).
    /// </summary>
    public double Value(RnnModel model, Tensor features, Tensor targets, int[]? best) => head.Value(model, features, targets, best);

    public void Dispose() => head.Dispose();
}

/// <summary>1 − cos(ŷ, e(w)), the default regression loss.</summary>
public sealed class CosineLoss(TargetVectors vectors) : OutputLoss
{
    public override Tensor Forward(Tensor output, Tensor targets)
    {
        using var target = vectors.Rows(targets);                           // [N, m]
        using var cos = F.cosine_similarity(output, target, dim: 1, eps: 1e-8); // [N]
        using var distance = Scalars.OneMinus(cos);
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

    public double Margin { get; } = margin;
    private readonly Scalar marginScalar = margin.ToScalar();   // held: see Scalars

    public override Tensor Forward(Tensor output, Tensor targets)
    {
        using var predicted = F.normalize(output, p: 2, dim: 1);            // [N, m], unit rows
        using var target = vectors.Rows(targets);                           // [N, m]
        using var negative = MostViolating(predicted, target, targets);     // [N] ids
        using var negativeRows = vectors.Rows(negative);
        using var cosNegative = (predicted * negativeRows).sum(1);          // [N]
        using var cosPositive = (predicted * target).sum(1);                // [N]
        using var violation = cosNegative - cosPositive;
        using var sum = violation.Plus(marginScalar);
        using var hinge = F.relu(sum);
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
        var hits = vectors.Index.SearchBatch(difference.data<float>().ToArray(), 2, get_num_threads());
        var truth = targets.data<long>().ToArray();
        var negatives = new long[hits.Length];
        for (int i = 0; i < hits.Length; i++)
            negatives[i] = hits[i][0].Id != truth[i] || hits[i].Length == 1 ? hits[i][0].Id : hits[i][1].Id;
        return tensor(negatives);
    }
}
