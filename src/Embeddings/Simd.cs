using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace VecLm.Embeddings;

/// <summary>
/// The two kernels of word2vec training, over short vectors (dim ≈ 64), without bounds checks: a dot product and the
/// fused negative-sampling update. Vector256 where the CPU has it, else Vector128, with a scalar tail; the scalar
/// <c>*Reference</c> versions define the results and are what the tests compare against at every length.
/// </summary>
public static class Simd
{
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException("lengths differ");
        return Dot(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), a.Length);
    }

    /// <summary><c>grad += g·output; output += g·input</c>, the two halves of one negative-sampling step.</summary>
    public static void Update(float g, ReadOnlySpan<float> input, Span<float> output, Span<float> grad)
    {
        if (input.Length != output.Length || input.Length != grad.Length) throw new ArgumentException("lengths differ");
        Update(g, ref MemoryMarshal.GetReference(input), ref MemoryMarshal.GetReference(output),
               ref MemoryMarshal.GetReference(grad), input.Length);
    }

    /// <summary><c>y += a·x</c>.</summary>
    public static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        if (x.Length != y.Length) throw new ArgumentException("lengths differ");
        Axpy(a, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), x.Length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Dot(ref float a, ref float b, int n)
    {
        int i = 0;
        float sum;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var acc0 = Vector256<float>.Zero;
            var acc1 = Vector256<float>.Zero;
            for (; i <= n - 16; i += 16)
            {
                acc0 += Vector256.LoadUnsafe(ref a, (nuint)i) * Vector256.LoadUnsafe(ref b, (nuint)i);
                acc1 += Vector256.LoadUnsafe(ref a, (nuint)(i + 8)) * Vector256.LoadUnsafe(ref b, (nuint)(i + 8));
            }
            if (i <= n - 8)
            {
                acc0 += Vector256.LoadUnsafe(ref a, (nuint)i) * Vector256.LoadUnsafe(ref b, (nuint)i);
                i += 8;
            }
            sum = Vector256.Sum(acc0 + acc1);
        }
        else if (Vector128.IsHardwareAccelerated && n >= 4)
        {
            var acc = Vector128<float>.Zero;
            for (; i <= n - 4; i += 4)
                acc += Vector128.LoadUnsafe(ref a, (nuint)i) * Vector128.LoadUnsafe(ref b, (nuint)i);
            sum = Vector128.Sum(acc);
        }
        else sum = 0;
        for (; i < n; i++) sum += Unsafe.Add(ref a, i) * Unsafe.Add(ref b, i);
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Update(float g, ref float input, ref float output, ref float grad, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vg = Vector256.Create(g);
            for (; i <= n - 8; i += 8)
            {
                var o = Vector256.LoadUnsafe(ref output, (nuint)i);
                (Vector256.LoadUnsafe(ref grad, (nuint)i) + vg * o).StoreUnsafe(ref grad, (nuint)i);
                (o + vg * Vector256.LoadUnsafe(ref input, (nuint)i)).StoreUnsafe(ref output, (nuint)i);
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            var vg = Vector128.Create(g);
            for (; i <= n - 4; i += 4)
            {
                var o = Vector128.LoadUnsafe(ref output, (nuint)i);
                (Vector128.LoadUnsafe(ref grad, (nuint)i) + vg * o).StoreUnsafe(ref grad, (nuint)i);
                (o + vg * Vector128.LoadUnsafe(ref input, (nuint)i)).StoreUnsafe(ref output, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float o = Unsafe.Add(ref output, i);
            Unsafe.Add(ref grad, i) += g * o;
            Unsafe.Add(ref output, i) = o + g * Unsafe.Add(ref input, i);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Axpy(float a, ref float x, ref float y, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(a);
            for (; i <= n - 8; i += 8)
                (Vector256.LoadUnsafe(ref y, (nuint)i) + va * Vector256.LoadUnsafe(ref x, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref y, i) += a * Unsafe.Add(ref x, i);
    }

    public static float DotReference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (double)a[i] * b[i];
        return (float)sum;
    }

    public static void UpdateReference(float g, ReadOnlySpan<float> input, Span<float> output, Span<float> grad)
    {
        for (int i = 0; i < input.Length; i++)
        {
            float o = output[i];
            grad[i] += g * o;
            output[i] = o + g * input[i];
        }
    }
}
