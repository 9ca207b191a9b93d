using VecLm.Embeddings;

namespace VecLm.Embeddings.Tests;

/// <summary>The SIMD kernels against their scalar references at every length 1..256.</summary>
public class SimdTests
{
    [Fact]
    public void DotMatchesTheScalarReferenceAtEveryLength()
    {
        var random = new Random(1);
        for (int n = 1; n <= 256; n++)
        {
            var a = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            var b = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            Assert.Equal(Simd.DotReference(a, b), Simd.Dot(a, b), 4);
        }
    }

    [Fact]
    public void UpdateMatchesTheScalarReferenceAtEveryLength()
    {
        var random = new Random(2);
        for (int n = 1; n <= 256; n++)
        {
            float[] Vector() => Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            var input = Vector();
            var output = Vector();
            var grad = Vector();
            var output2 = (float[])output.Clone();
            var grad2 = (float[])grad.Clone();
            Simd.Update(0.37f, input, output, grad);
            Simd.UpdateReference(0.37f, input, output2, grad2);
            Assert.Equal(output2, output);
            Assert.Equal(grad2, grad);
        }
    }

    [Fact]
    public void MismatchedLengthsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => Simd.Dot(new float[3], new float[4]));
    }
}

public class SigmoidTests
{
    [Fact]
    public void TableMatchesTheExactSigmoidInsideTheRangeAndSaturatesOutside()
    {
        for (float x = -5.999f; x < 6f; x += 0.0007f)
            Assert.Equal(Sigmoid.Exact(x), Sigmoid.Of(x), 1e-6f);
        Assert.Equal(1f, Sigmoid.Of(6.5f));
        Assert.Equal(0f, Sigmoid.Of(-100f));
    }
}
