using static TorchSharp.torch;

namespace VecLm.Regressor.Tests;

/// <summary>
/// The softmax head's training step applied by hand (<see cref="FusedSoftmaxHead"/>: one logits buffer kept between
/// steps, the gradient written over it) against the same step through autograd (the Linear layer's
/// <see cref="RnnModel.Output"/>, then <see cref="FusedCrossEntropy.BackwardTransposed"/>).
/// </summary>
public class SoftmaxHeadTests
{
    private static (double Loss, float[] Weight, float[] Bias, float[] Features) Grads(RnnModel model, Tensor features,
        Tensor targets, bool byHand, FusedSoftmaxHead head)
    {
        foreach (var p in model.parameters()) p.grad?.zero_();
        features.grad?.zero_();
        double loss;
        if (byHand) loss = head.Backward(model, features, targets);
        else using (var logits = model.Output(features, OutputLayout.VocabularyMajor))
            loss = FusedCrossEntropy.BackwardTransposed(logits, targets);
        var (_, weight, bias) = model.HeadInputs(features);
        return (loss, weight.grad!.data<float>().ToArray(), bias.grad!.data<float>().ToArray(),
                features.grad!.data<float>().ToArray());
    }

    private static void Close(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * scale + 1e-7f, $"{what}[{i}]: {actual[i]} vs {expected[i]}");
    }

    /// <summary>A softmax model over the tiny vocabulary (hidden 24) in eval mode (dropout off: by hand and by LibTorch see the same x), with a bias that matters (it starts at 0).</summary>
    private static (Embeddings.WordVectors Vectors, RnnModel Model) ModelWithBias(int seed)
    {
        manual_seed(seed);
        var vectors = TinyData.Vectors(TinyData.Sentences);
        var model = new RnnModel(ModelConfig.For(vectors, "v.bin", LossKind.Softmax, 24, 1, 0, false), vectors.Data);
        model.eval();
        using (no_grad())
        using (var probe = zeros(1, 24))
            nn.init.uniform_(model.HeadInputs(probe).Bias, -2, 2);
        return (vectors, model);
    }

    /// <param name="chunkBytes">The head's chunk: all words in one, or 1,344 bytes (7 vocabulary rows at 48 positions, 16 at 20, 2 at 160; the last chunk partial).</param>
    [Theory]
    /// <param name="threads">Threads for the element-wise passes: two split 160 positions into two column ranges.</param>
    [InlineData(FusedSoftmaxHead.DefaultChunkBytes, 1)]
    [InlineData(4 * 48 * 7, 1)]
    [InlineData(4 * 48 * 7, 2)]
    public void TheHeadAppliedByHandGivesAutogradsLossAndGradientsStepAfterStep(int chunkBytes, int threads)
    {
        var (vectors, model) = ModelWithBias(seed: 3);
        using var _ = model;
        using var head = new FusedSoftmaxHead(chunkBytes) { Threads = threads };
        Assert.True(vectors.Count % 7 != 0 && vectors.Count % 16 != 0 && vectors.Count > 16, $"{vectors.Count} words: a partial chunk");
        // 48 positions, then a shorter last chunk (20, not a multiple of 16: the buffer's front), then 160 (two column
        // ranges when two threads take them), then 48.
        foreach (int n in new[] { 48, 20, 160, 48 })
        {
            using var scope = NewDisposeScope();
            var features = (randn(n, 24) * 3).requires_grad_(true);
            var targets = randint(0, vectors.Count, n, dtype: ScalarType.Int64);
            var expected = Grads(model, features, targets, byHand: false, head);
            var actual = Grads(model, features, targets, byHand: true, head);
            // Within 1e-5, not "equal when both are rounded to 5 places": two threads sum in either order, and 4.0608349
            // against 4.0608356 (7e-7 apart) rounded to different fifth places in one CI pass.
            Assert.True(Math.Abs(expected.Loss - actual.Loss) <= 1e-5, $"n {n}: loss {expected.Loss} by autograd, {actual.Loss} by hand");
            Close(expected.Weight, actual.Weight, $"n {n}: ∂W");
            Close(expected.Bias, actual.Bias, $"n {n}: ∂b");
            Close(expected.Features, actual.Features, $"n {n}: ∂x");
            Assert.True(expected.Weight.Any(g => g != 0) && expected.Features.Any(g => g != 0), "a gradient to compare");
        }
    }

    /// <summary>Validation's loss and argmax by chunks of vocabulary rows against LibTorch's on the whole [V, N] table.</summary>
    [Theory]
    [InlineData(FusedSoftmaxHead.DefaultChunkBytes, 1)]
    [InlineData(4 * 48 * 7, 1)]
    [InlineData(4 * 48 * 7, 2)]
    public void TheValidationLossAndArgmaxByChunksAreLibTorchs(int chunkBytes, int threads)
    {
        var (vectors, model) = ModelWithBias(seed: 4);
        using var _ = model;
        using var head = new FusedSoftmaxHead(chunkBytes) { Threads = threads };
        // The argmax of all positions, of 13 (a vector's lanes and a scalar remainder) and of none.
        foreach (var (n, decoded) in new[] { (48, 48), (20, 13), (160, 160), (48, 0) })
        {
            using var scope = NewDisposeScope();
            var features = randn(n, 24) * 3;
            var targets = randint(0, vectors.Count, n, dtype: ScalarType.Int64);
            var logits = model.Output(features, OutputLayout.VocabularyMajor);     // [V, N]
            double expected = nn.functional.cross_entropy(logits.t(), targets).item<float>();
            var expectedBest = logits.argmax(0).data<long>().ToArray().Take(decoded).Select(i => (int)i).ToArray();
            var best = new int[decoded];
            double actual = head.Value(model, features, targets, best);
            Assert.True(Math.Abs(expected - actual) <= 1e-5, $"n {n}: loss {expected} by LibTorch, {actual} by chunks");
            Assert.Equal(expectedBest, best);
            Assert.True(expectedBest.Distinct().Count() > 1 || decoded < 2, "argmaxes that differ between positions");
        }
    }

    [Fact]
    public void AnArgmaxTieGoesToTheFirstRowAcrossChunks()
    {
        var vectors = TinyData.Vectors(TinyData.Sentences);
        var config = ModelConfig.For(vectors, "v.bin", LossKind.Softmax, 24, 1, 0, false);
        using var model = new RnnModel(config, vectors.Data);
        model.eval();
        using var scope = NewDisposeScope();
        var bias = model.HeadInputs(zeros(1, 24)).Bias;
        using (no_grad())
        {
            bias.fill_(-1);
            bias[11] = 5;   // the logits are the bias alone (zero features): rows 11 and 3 tie, in different chunks of 7
            bias[3] = 5;
        }
        using var head = new FusedSoftmaxHead(4 * 20 * 7);
        var best = new int[20];
        head.Value(model, zeros(20, 24), zeros(20, dtype: ScalarType.Int64), best);
        Assert.All(best, b => Assert.Equal(3, b));
    }

    [Fact]
    public void ANonFiniteLossLeavesTheGradientsAlone()
    {
        var vectors = TinyData.Vectors(TinyData.Sentences);
        var config = ModelConfig.For(vectors, "v.bin", LossKind.Softmax, 24, 1, 0, false);
        using var model = new RnnModel(config, vectors.Data);
        model.eval();
        using var head = new FusedSoftmaxHead();
        using var scope = NewDisposeScope();
        var features = full(16, 24, float.NaN).requires_grad_(true);
        double loss = head.Backward(model, features, zeros(16, dtype: ScalarType.Int64));
        Assert.True(double.IsNaN(loss));
        Assert.Null(features.grad);
        Assert.Null(model.HeadInputs(features).Weight.grad);
    }
}
