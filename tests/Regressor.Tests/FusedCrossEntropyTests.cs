using System.Runtime.InteropServices;
using VecLm.Embeddings;
using static TorchSharp.torch;

namespace VecLm.Regressor.Tests;

/// <summary>The fused softmax cross-entropy against LibTorch's cross_entropy and a plain reference, at many widths.</summary>
public class FusedCrossEntropyTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 2)]
    [InlineData(5, 7)]
    [InlineData(4, 15)]
    [InlineData(4, 16)]
    [InlineData(2, 17)]
    [InlineData(9, 63)]
    [InlineData(33, 1000)]
    public void LossAndGradientMatchLibTorchsCrossEntropy(int rows, int width)
    {
        var random = new Random(rows * 1000 + width);
        var z = Enumerable.Range(0, rows * width).Select(_ => (float)(random.NextDouble() * 20 - 10)).ToArray();
        var y = Enumerable.Range(0, rows).Select(_ => (long)random.Next(width)).ToArray();

        using var scope = NewDisposeScope();
        var logits = tensor(z, rows, width).requires_grad_();
        var loss = nn.functional.cross_entropy(logits, tensor(y));
        loss.backward();
        var expectedGrad = logits.grad!.data<float>().ToArray();

        var grad = new float[z.Length];
        double fast = FusedCrossEntropy.LossAndGradient(z, y, grad, width, threads: 2);
        var referenceGrad = new float[z.Length];
        double reference = FusedCrossEntropy.LossAndGradientReference(z, y, referenceGrad, width);

        Assert.Equal(loss.item<float>(), fast, 4);
        Assert.Equal(reference, fast, 5);
        for (int i = 0; i < z.Length; i++)
        {
            Assert.True(Math.Abs(grad[i] - expectedGrad[i]) < 1e-6, $"gradient[{i}] {grad[i]} vs LibTorch {expectedGrad[i]}");
            Assert.True(Math.Abs(grad[i] - referenceGrad[i]) < 1e-6, $"gradient[{i}] {grad[i]} vs reference {referenceGrad[i]}");
        }
    }

    public static TheoryData<SimdWidth> Widths => new(SimdWidths.Supported);

    /// <summary>Column counts: every remainder of a 16-column block from 1 to 70 (fewer than 16 in all, one window,
    /// several blocks plus a window), and some larger ones, each against a vocabulary of 37 or 300.</summary>
    private static readonly (int Rows, int Vocabulary)[] ColumnCases =
        [.. Enumerable.Range(1, 70).Select(n => (n, n % 3 == 0 ? 300 : 37)), (127, 37), (128, 300), (129, 1000), (250, 37)];

    /// <summary>Random logits in −10..10 and targets, row-major, with the same logits vocabulary-major.</summary>
    private static (float[] Z, float[] ZT, long[] Y) Logits(int rows, int width, int seed)
    {
        var random = new Random(seed);
        var z = Enumerable.Range(0, rows * width).Select(_ => (float)(random.NextDouble() * 20 - 10)).ToArray();
        var y = Enumerable.Range(0, rows).Select(_ => (long)random.Next(width)).ToArray();
        var zT = new float[z.Length];
        for (int i = 0; i < rows; i++)
            for (int v = 0; v < width; v++) zT[v * rows + i] = z[i * width + v];
        return (z, zT, y);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void TheVocabularyMajorLayoutGivesTheReferenceLossAndGradientAtEveryColumnCount(SimdWidth width)
    {
        foreach (var (rows, vocabulary) in ColumnCases)
        {
            var (z, zT, y) = Logits(rows, vocabulary, seed: rows * 7 + vocabulary);
            var reference = new float[z.Length];
            double expected = FusedCrossEntropy.LossAndGradientReference(z, y, reference, vocabulary);
            foreach (int threads in new[] { 1, 2 })
            {
                var gradientT = new float[z.Length];
                double loss = FusedCrossEntropy.LossAndGradientColumns(zT, y, gradientT, vocabulary, threads, width);
                Assert.True(Math.Abs(expected - loss) < 1e-5, $"{width}, {rows} columns of {vocabulary}: loss {loss}, reference {expected}");
                for (int i = 0; i < rows; i++)
                    for (int v = 0; v < vocabulary; v++)
                        Assert.True(Math.Abs(gradientT[v * rows + i] - reference[i * vocabulary + v]) < 1e-6,
                            $"{width}, {rows} columns, threads {threads}: gradient of row {i}, word {v}: "
                            + $"{gradientT[v * rows + i]} vs {reference[i * vocabulary + v]}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void TheGradientWrittenOverTheLogitsIsTheSeparatePathsGradient(SimdWidth width)
    {
        foreach (var (rows, vocabulary) in ColumnCases)
        {
            var (z, zT, y) = Logits(rows, vocabulary, seed: rows * 3 + vocabulary);
            var separate = new float[zT.Length];
            double expected = FusedCrossEntropy.LossAndGradientColumns(zT, y, separate, vocabulary, 1, width);
            var reference = new float[z.Length];
            double referenceLoss = FusedCrossEntropy.LossAndGradientReference(z, y, reference, vocabulary);
            foreach (int threads in new[] { 1, 2 })
            {
                var inPlace = (float[])zT.Clone();
                double loss = FusedCrossEntropy.LossAndGradientColumnsInPlace(inPlace, y, vocabulary, threads, width);
                if (rows % ColumnCrossEntropy.Columns == 0 || width == SimdWidth.Scalar)
                {
                    Assert.Equal(expected, loss);
                    Assert.Equal(separate, inPlace);
                    continue;
                }
                // A partial last block goes column by column in place: the reference's tolerance, not the same bits.
                Assert.True(Math.Abs(referenceLoss - loss) < 1e-5, $"{width}, {rows} columns of {vocabulary}: loss {loss}");
                for (int i = 0; i < rows; i++)
                    for (int v = 0; v < vocabulary; v++)
                        Assert.True(Math.Abs(inPlace[v * rows + i] - reference[i * vocabulary + v]) < 1e-6,
                            $"{width}, {rows} columns, threads {threads}: gradient of row {i}, word {v}");
                int whole = rows / ColumnCrossEntropy.Columns * ColumnCrossEntropy.Columns;
                for (int v = 0; v < vocabulary; v++)   // the whole blocks' columns are the separate path's bits
                    Assert.Equal(separate.AsSpan(v * rows, whole).ToArray(), inPlace.AsSpan(v * rows, whole).ToArray());
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void TheLossOnlyPathGivesTheGradientPathsLossBitwise(SimdWidth width)
    {
        foreach (var (rows, vocabulary) in ColumnCases)
        {
            var (_, zT, y) = Logits(rows, vocabulary, seed: rows + vocabulary);
            var gradientT = new float[zT.Length];
            double withGradient = FusedCrossEntropy.LossAndGradientColumns(zT, y, gradientT, vocabulary, 1, width);
            foreach (int threads in new[] { 1, 2 })
                Assert.Equal(withGradient, FusedCrossEntropy.LossColumns(zT, y, vocabulary, threads, width));
        }
    }

    [Fact]
    public void TheTensorLossIsTheLossOnlyPathAtTheBestWidth()
    {
        var (_, zT, y) = Logits(45, 300, seed: 9);
        using var scope = NewDisposeScope();
        double loss = FusedCrossEntropy.Loss(tensor(zT, 300, 45), tensor(y));
        Assert.Equal(FusedCrossEntropy.LossColumns(zT, y, 300, 1, SimdWidths.Best), loss);
        var cross = nn.functional.cross_entropy(tensor(zT, 300, 45).t(), tensor(y)).item<float>();
        Assert.Equal(cross, loss, 5);
        Assert.Throws<ArgumentException>(() => FusedCrossEntropy.LossColumns(zT, y, 299));
        Assert.Throws<ArgumentException>(() => FusedCrossEntropy.LossColumns(zT, [.. y[..44], 300], 300));
    }

    [Fact]
    public void TheTransposedHeadTrainsAsTheLinearHeadDoes()
    {
        // W·xᵀ + b with the fused column loss must give Linear(x) + cross_entropy's loss and parameter gradients.
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        var weight = randn(37, 8).requires_grad_();
        var bias = randn(37).requires_grad_();
        var input = randn(21, 8);
        var targets = randint(0, 37, [21]);
        double fused = FusedCrossEntropy.BackwardTransposed(addmm(bias.unsqueeze(1), weight, input.t(), 1, 1), targets);
        var (gw, gb) = (weight.grad!.clone(), bias.grad!.clone());
        weight.grad!.zero_();
        bias.grad!.zero_();
        var loss = nn.functional.cross_entropy(nn.functional.linear(input, weight, bias), targets);
        loss.backward();
        Assert.Equal(loss.item<float>(), fused, 5);
        Assert.True(gw.allclose(weight.grad!, rtol: 1e-4, atol: 1e-6));
        Assert.True(gb.allclose(bias.grad!, rtol: 1e-4, atol: 1e-6));
    }

    [Fact]
    public void TheModelsTransposedHeadIsItsHeadTransposed()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var vectors = TinyData.Vectors(TinyData.Sentences);
        var config = ModelConfig.For(vectors, "v.bin", LossKind.Softmax, 24, 2, 0.2, false);
        using var model = new RnnModel(config, vectors.Data);
        model.eval();
        var features = randn(13, 24);
        Assert.True(model.Output(features, OutputLayout.VocabularyMajor).allclose(model.Output(features, OutputLayout.PositionMajor).t(), rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void BackwardSendsTheGradientThroughTheGraph()
    {
        using var scope = NewDisposeScope();
        var weights = tensor(new float[] { 0.5f, -1, 2, 0.25f, 1, -0.5f }, 2, 3).requires_grad_();
        var input = tensor(new float[] { 1, 2, -1, 0.5f }, 2, 2);
        var targets = tensor(new long[] { 2, 0 });
        double fused = FusedCrossEntropy.Backward(input.matmul(weights), targets);
        var fusedGrad = weights.grad!.clone();
        weights.grad!.zero_();
        var loss = nn.functional.cross_entropy(input.matmul(weights), targets);
        loss.backward();
        Assert.Equal(loss.item<float>(), fused, 5);
        Assert.True(fusedGrad.allclose(weights.grad!, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void ANonFiniteLossSendsNothingBack()
    {
        using var scope = NewDisposeScope();
        var weights = tensor(new float[] { 1, 2 }, 1, 2).requires_grad_();
        var input = tensor(new float[] { float.NaN }, 1, 1);
        double value = FusedCrossEntropy.Backward(input.matmul(weights), tensor(new long[] { 0 }));
        Assert.True(double.IsNaN(value));
        Assert.True(weights.grad is null || weights.grad.abs().sum().item<float>() == 0);
    }

    [Fact]
    public void BadShapesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => FusedCrossEntropy.LossAndGradient(new float[6], new long[] { 0 }, new float[6], 4));
        Assert.Throws<ArgumentException>(() => FusedCrossEntropy.LossAndGradient(new float[6], new long[] { 0, 3 }, new float[6], 3));
        Assert.Throws<ArgumentException>(() => FusedCrossEntropy.LossAndGradient(new float[6], new long[] { 0, 1 }, new float[5], 3));
    }
}
