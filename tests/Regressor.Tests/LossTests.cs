using VecLm.Embeddings;
using static TorchSharp.torch;

namespace VecLm.Regressor.Tests;

/// <summary>The losses' values against hand computations and the vMF gradient against finite differences.</summary>
public class LossTests
{
    private static TargetVectors Targets(float[] rows, int dim)
    {
        var words = Enumerable.Range(0, rows.Length / dim).Select(i => $"w{i}").ToArray();
        var vectors = new Embeddings.WordVectors(new Embeddings.Vocabulary(words, words.Select(_ => 1L).ToArray()), dim, rows);
        return TargetVectors.Create(vectors, PostProcessing.Raw.Fit(vectors));
    }

    [Fact]
    public void CosineLossMatchesAHandValue()
    {
        using var targets = Targets([1, 1, 0, 2], 2);      // unit rows: (1,1)/√2 and (0,1)
        using var output = tensor(new float[] { 1, 0, 3, 4 }, 2, 2);
        using var ids = tensor(new long[] { 0, 1 });
        using var loss = new CosineLoss(targets).Forward(output, ids);
        // 1 − cos((1,0), (1,1)/√2) = 1 − 1/√2;  1 − cos((3,4), (0,1)) = 1 − 4/5;  mean of the two.
        double expected = ((1 - 1 / Math.Sqrt(2)) + (1 - 0.8)) / 2;
        Assert.Equal(expected, loss.item<float>(), 5);
    }

    [Fact]
    public void MaxMarginUsesTheMostViolatingWord()
    {
        using var targets = Targets([1, 0, 0, 1, -1, 0], 2);
        using var output = tensor(new float[] { 1, 1 }, 1, 2);   // equally close to w0 and w1
        using var ids = tensor(new long[] { 0 });
        using var loss = new MaxMarginLoss(targets).Forward(output, ids);
        // violation_j = cos(ŷ, e_j) − cos(e_0, e_j): w1: 1/√2 − 0 ≈ 0.71, w2: −1/√2 + 1 ≈ 0.29 → w1 is chosen,
        // and the hinge is γ + cos(ŷ, e_1) − cos(ŷ, e_0) = 0.5 (it would be 0 with w2).
        Assert.Equal(0.5, loss.item<float>(), 5);
    }

    [Fact]
    public void MaxMarginMatchesTheFullProductOnRandomRows()
    {
        var random = new Random(9);
        var rows = Enumerable.Range(0, 300 * 16).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        using var targets = Targets(rows, 16);
        using var scope = NewDisposeScope();
        manual_seed(4);
        var output = randn(50, 16);
        var ids = randint(0, 300, [50]);
        double fast = new MaxMarginLoss(targets).Forward(output, ids).item<float>();
        // Reference: every word's violation from the full [N, V] product, w itself excluded.
        var predicted = nn.functional.normalize(output, p: 2, dim: 1);
        var target = targets.Rows(ids);
        var violation = predicted.matmul(targets.Matrix.t()) - target.matmul(targets.Matrix.t());
        violation.scatter_(1, ids.unsqueeze(1), full(50, 1, float.NegativeInfinity));
        var negative = targets.Rows(violation.argmax(1));
        var hinge = nn.functional.relu(0.5 + (predicted * negative).sum(1) - (predicted * target).sum(1)).mean();
        Assert.Equal(hinge.item<float>(), fast, 5);
    }

    [Fact]
    public void VmfLossMatchesItsFormulaAndIsZeroAtItsMinimum()
    {
        int dim = 64;
        var rows = new float[dim];
        rows[0] = 1;
        using var targets = Targets(rows, dim);
        var vmf = new VmfLoss(targets);
        double v = dim / 2.0 - 1;
        Assert.Equal(31, vmf.V);
        // Output along the target with κ = 3: A(3) − λ·3 − A*.
        var y = new float[dim];
        y[0] = 3;
        using var output = tensor(y, 1, dim);
        using var ids = tensor(new long[] { 0 });
        using var loss = vmf.Forward(output, ids);
        Assert.Equal(VmfLoss.LogNormalizerApprox(3, v) - 0.1 * 3 - vmf.Offset, loss.item<float>(), 3);
        // A* is the minimum over κ of A(κ) − λκ: no κ on a fine grid does better.
        double gridMin = Enumerable.Range(0, 20000).Select(i => VmfLoss.LogNormalizerApprox(i * 0.001, v) - 0.1 * i * 0.001).Min();
        Assert.Equal(gridMin, vmf.Offset, 6);
    }

    [Fact]
    public void VmfGradientMatchesFiniteDifferences()
    {
        int dim = 8, n = 3;
        var random = new Random(3);
        var rows = Enumerable.Range(0, 5 * dim).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        using var targets = Targets(rows, dim);
        var vmf = new VmfLoss(targets);
        var y = Enumerable.Range(0, n * dim).Select(_ => random.NextDouble() * 4 - 2).ToArray();
        using var ids = tensor(new long[] { 0, 3, 4 });

        using var output = tensor(y, n, dim).requires_grad_(true);
        using var loss = Loss(vmf, output, ids);
        loss.backward();
        var analytic = output.grad!.data<double>().ToArray();

        const double h = 1e-6;
        for (int i = 0; i < y.Length; i++)
        {
            var plus = (double[])y.Clone();
            var minus = (double[])y.Clone();
            plus[i] += h;
            minus[i] -= h;
            using var p = tensor(plus, n, dim);
            using var m = tensor(minus, n, dim);
            using var lp = Loss(vmf, p, ids);
            using var lm = Loss(vmf, m, ids);
            double numeric = (lp.item<double>() - lm.item<double>()) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic[i]) < 1e-6, $"d/dy[{i}]: numeric {numeric}, autograd {analytic[i]}");
        }
    }

    [Fact]
    public void TheSoftmaxCriterionReadsVocabularyMajorLogitsAsCrossEntropyDoes()
    {
        // The model hands the softmax loss [V, N] (its Layout); value, reference and gradient must all be those of
        // LibTorch's cross_entropy on the same logits laid out [N, V].
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        var logits = randn(9, 23);                                     // [N, V]
        var targets = randint(0, 23, [9]);
        var loss = new SoftmaxLoss();
        Assert.Equal(OutputLayout.VocabularyMajor, loss.Layout);
        double expected = nn.functional.cross_entropy(logits, targets).item<float>();
        var logitsT = logits.t().contiguous().requires_grad_();       // [V, N]
        Assert.Equal(expected, loss.Forward(logitsT, targets).item<float>(), 5);
        Assert.Equal(expected, loss.Value(logitsT, targets), 5);
        Assert.Equal(expected, loss.Backward(logitsT, targets), 5);
        var reference = logits.clone().requires_grad_();
        nn.functional.cross_entropy(reference, targets).backward();
        Assert.True(logitsT.grad!.t().allclose(reference.grad!, rtol: 1e-4, atol: 1e-6));
    }

    /// <summary>The loss of a double-precision output (the float targets are promoted to double).</summary>
    private static Tensor Loss(VmfLoss vmf, Tensor output, Tensor ids) => vmf.Forward(output, ids);
}
