using VecLm.Embeddings;

namespace VecLm.Embeddings.Tests;

/// <summary>The negative-sampling update against finite differences of its loss.</summary>
public class SkipGramTests
{
    private const int Dim = 16;

    private static float Loss(float[] input, float[] outputs, int target, int[] negatives)
    {
        double loss = -Math.Log(Sigmoid(Dot(input, outputs, target)));
        foreach (int n in negatives)
            if (n != target) loss -= Math.Log(1 - Sigmoid(Dot(input, outputs, n)));
        return (float)loss;
    }

    private static double Dot(float[] h, float[] outputs, int row)
    {
        double s = 0;
        for (int i = 0; i < Dim; i++) s += (double)h[i] * outputs[row * Dim + i];
        return s;
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static (float[] Input, float[] Outputs) RandomParameters(int rows, int seed)
    {
        var random = new Random(seed);
        var input = Enumerable.Range(0, Dim).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var outputs = Enumerable.Range(0, rows * Dim).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        return (input, outputs);
    }

    [Fact]
    public void StepIsMinusAlphaTimesTheNumericalGradient()
    {
        var (input, outputs) = RandomParameters(rows: 6, seed: 3);
        int target = 2;
        int[] negatives = [0, 4, 5, 4];
        const float alpha = 1e-3f, eps = 1e-2f;

        // Numerical gradient of the loss with respect to the input vector and every output row.
        var gradInput = new float[Dim];
        var gradOutputs = new float[outputs.Length];
        for (int i = 0; i < Dim; i++) gradInput[i] = Central(input, i, () => Loss(input, outputs, target, negatives), eps);
        for (int i = 0; i < outputs.Length; i++) gradOutputs[i] = Central(outputs, i, () => Loss(input, outputs, target, negatives), eps);

        var newInput = (float[])input.Clone();
        var newOutputs = (float[])outputs.Clone();
        SkipGram.Update(newInput, newOutputs, target, negatives, alpha, new float[Dim]);

        Assert.Equal(Loss(input, outputs, target, negatives), SkipGram.Loss(input, outputs, target, negatives), 4);
        for (int i = 0; i < Dim; i++)
            Assert.Equal(-alpha * gradInput[i], newInput[i] - input[i], 5);
        for (int i = 0; i < outputs.Length; i++)
            Assert.Equal(-alpha * gradOutputs[i], newOutputs[i] - outputs[i], 5);
        // Row 1 and row 3 are neither target nor negative: untouched.
        Assert.Equal(outputs.AsSpan(Dim, Dim).ToArray(), newOutputs.AsSpan(Dim, Dim).ToArray());
        Assert.Equal(outputs.AsSpan(3 * Dim, Dim).ToArray(), newOutputs.AsSpan(3 * Dim, Dim).ToArray());
    }

    [Fact]
    public void RepeatedStepsLowerTheLoss()
    {
        var (input, outputs) = RandomParameters(rows: 4, seed: 5);
        int[] negatives = [1, 3];
        float first = Loss(input, outputs, 0, negatives);
        for (int i = 0; i < 200; i++) SkipGram.Update(input, outputs, 0, negatives, 0.1f, new float[Dim]);
        Assert.True(Loss(input, outputs, 0, negatives) < first / 10);
    }

    [Fact]
    public void CbowSpreadsTheMeanInputsStepOverTheContext()
    {
        var (_, outputs) = RandomParameters(rows: 5, seed: 8);
        var inputs = RandomParameters(rows: 5, seed: 9).Outputs;
        int[] context = [1, 3];
        var mean = new float[Dim];
        for (int i = 0; i < Dim; i++) mean[i] = (inputs[Dim + i] + inputs[3 * Dim + i]) / 2;
        var expectedMean = (float[])mean.Clone();
        var expectedOutputs = (float[])outputs.Clone();
        SkipGram.Update(expectedMean, expectedOutputs, 4, [0, 2], 0.05f, new float[Dim]);

        var newInputs = (float[])inputs.Clone();
        var newOutputs = (float[])outputs.Clone();
        Cbow.Update(newInputs, newOutputs, context, 4, [0, 2], 0.05f, new float[Dim], new float[Dim]);

        for (int i = 0; i < outputs.Length; i++) Assert.Equal(expectedOutputs[i], newOutputs[i], 6);
        for (int i = 0; i < Dim; i++)
        {
            float step = expectedMean[i] - mean[i];
            Assert.Equal(inputs[Dim + i] + step, newInputs[Dim + i], 6);
            Assert.Equal(inputs[3 * Dim + i] + step, newInputs[3 * Dim + i], 6);
            Assert.Equal(inputs[i], newInputs[i]);
        }
    }

    private static float Central(float[] x, int i, Func<float> f, float eps)
    {
        float keep = x[i];
        x[i] = keep + eps; float plus = f();
        x[i] = keep - eps; float minus = f();
        x[i] = keep;
        return (plus - minus) / (2 * eps);
    }
}
