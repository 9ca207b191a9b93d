using VecLm.Embeddings;

namespace VecLm.Embeddings.Tests;

/// <summary>
/// The SIMD kernels at every width this process runs (<see cref="SimdWidths.Supported"/>) against their scalar
/// references, at every length 0..70 (every remainder of every vector width) and some longer ones. Each vector is
/// followed by NaN guards: a kernel that read past its end would return NaN, one that wrote past it would change them.
/// </summary>
public class SimdTests
{
    public static TheoryData<SimdWidth> Widths => new(SimdWidths.Supported);

    private static readonly int[] Lengths = [.. Enumerable.Range(0, 71), 96, 127, 128, 129, 255, 256, 257, 1000, 1023];
    private const int Guard = 17;

    /// <summary>n random values in −0.5..0.5, then <see cref="Guard"/> NaNs.</summary>
    private static float[] Guarded(Random random, int n)
    {
        var data = new float[n + Guard];
        for (int i = 0; i < n; i++) data[i] = (float)random.NextDouble() - 0.5f;
        data.AsSpan(n).Fill(float.NaN);
        return data;
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void DotMatchesTheReferenceAtEveryLength(SimdWidth width)
    {
        var random = new Random(1);
        foreach (int n in Lengths)
        {
            var a = Guarded(random, n);
            var b = Guarded(random, n);
            float expected = Simd.DotReference(a.AsSpan(0, n), b.AsSpan(0, n));
            float actual = Simd.Dot(width, ref a[0], ref b[0], n);
            Assert.True(Math.Abs(actual - expected) <= 1e-6f * Math.Max(8, n),
                        $"{width}, length {n}: {actual}, reference {expected}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void UpdateIsBitwiseTheReferenceAtEveryLength(SimdWidth width)
    {
        var random = new Random(2);
        foreach (int n in Lengths)
        {
            var input = Guarded(random, n);
            var output = Guarded(random, n);
            var grad = Guarded(random, n);
            var output2 = (float[])output.Clone();
            var grad2 = (float[])grad.Clone();
            Simd.Update(width, 0.37f, ref input[0], ref output[0], ref grad[0], n);
            Simd.UpdateReference(0.37f, input.AsSpan(0, n), output2.AsSpan(0, n), grad2.AsSpan(0, n));
            AssertBitwise(output2, output, $"{width}, length {n}, output");
            AssertBitwise(grad2, grad, $"{width}, length {n}, grad");
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void AxpyIsBitwiseTheReferenceAtEveryLength(SimdWidth width)
    {
        var random = new Random(3);
        foreach (int n in Lengths)
        {
            var x = Guarded(random, n);
            var y = Guarded(random, n);
            var y2 = (float[])y.Clone();
            Simd.Axpy(width, -1.7f, ref x[0], ref y[0], n);
            Simd.AxpyReference(-1.7f, x.AsSpan(0, n), y2.AsSpan(0, n));
            AssertBitwise(y2, y, $"{width}, length {n}");
        }
    }

    [Fact]
    public void ThePublicEntriesRunAtTheBestWidth()
    {
        var random = new Random(4);
        var a = Guarded(random, 67);
        var b = Guarded(random, 67);
        Assert.Equal(Simd.Dot(SimdWidths.Best, ref a[0], ref b[0], 67), Simd.Dot(a.AsSpan(0, 67), b.AsSpan(0, 67)));
        var y = (float[])b.Clone();
        Simd.Axpy(0.5f, a.AsSpan(0, 67), y.AsSpan(0, 67));
        var y2 = (float[])b.Clone();
        Simd.AxpyReference(0.5f, a.AsSpan(0, 67), y2.AsSpan(0, 67));
        AssertBitwise(y2, y, "Axpy");
    }

    private static void AssertBitwise(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                        $"{what}: [{i}] is {actual[i]}, reference {expected[i]}");
    }

    [Fact]
    public void MismatchedLengthsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => Simd.Dot(new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => Simd.Axpy(1, new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => Simd.Update(1, new float[3], new float[3], new float[4]));
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
