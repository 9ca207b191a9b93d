using static TorchSharp.torch;

namespace VecLm.Regressor.Tests;

public class TensorMemoryTests
{
    [Fact]
    public void TheSpanIsTheTensorsOwnMemory()
    {
        using var t = arange(0, 12, float32).reshape(3, 4);
        var span = TensorMemory.Of<float>(t);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (float)i), span.ToArray());
        span[5] = -1;
        Assert.Equal(-1f, t[1, 1].item<float>());
        using var ids = tensor(new long[] { 7, 8 });
        Assert.Equal([7L, 8L], TensorMemory.Of<long>(ids).ToArray());
        Assert.Throws<ArgumentException>(() => TensorMemory.Of<float>(t.t()));        // not contiguous
        Assert.Throws<ArgumentException>(() => TensorMemory.Of<long>(t));             // 4-byte elements as 8
    }

    /// <summary>
    /// Past 2 GB, where TorchSharp's <c>bytes</c> gives up: a softmax step's logits at 1M words are 4.5 GB. 600M
    /// floats (2.4 GB of address space; only the pages touched are ever written).
    /// </summary>
    [Fact]
    public void ATensorOverTwoGigabytesIsReachedToItsLastElement()
    {
        using var big = zeros(600_000_000, float32);
        var span = TensorMemory.Of<float>(big);
        Assert.Equal(600_000_000, span.Length);
        span[^1] = 3f;
        Assert.Equal(3f, big[599_999_999].item<float>());
    }
}
