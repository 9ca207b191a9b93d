using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace VecLm.Regressor;

/// <summary>
/// A contiguous tensor's elements as a span, at any size up to int.MaxValue elements. TorchSharp's <c>bytes</c>
/// counts bytes in an int, so it refuses a tensor over 2 GB: a softmax step's logits at 1M words (1,120 × 1M
/// floats, 4.5 GB) among them. The data pointer is taken from the first element's view instead, which shares the
/// tensor's storage.
/// </summary>
internal static class TensorMemory
{
    public static unsafe Span<T> Of<T>(Tensor contiguous) where T : unmanaged
    {
        if (!contiguous.is_contiguous()) throw new ArgumentException("the tensor is not contiguous");
        long count = contiguous.numel();
        if (count > int.MaxValue)
            throw new InvalidOperationException($"a tensor of {count:N0} elements is more than one span holds (at most {int.MaxValue:N0})");
        if (count == 0) return [];
        if ((long)sizeof(T) != contiguous.ElementSize)
            throw new ArgumentException($"elements of {contiguous.ElementSize} bytes read as {sizeof(T)}-byte values");
        using var first = contiguous.reshape(-1).narrow(0, 0, 1);
        ref byte start = ref MemoryMarshal.GetReference(first.bytes);
        return new Span<T>(Unsafe.AsPointer(ref start), (int)count);
    }

    /// <summary>The first element's address of a contiguous float tensor (its storage lives as long as the tensor).</summary>
    public static unsafe float* Floats(Tensor contiguous) =>
        (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(Of<float>(contiguous)));
}
