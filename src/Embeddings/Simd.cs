using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace VecLm.Embeddings;

/// <summary>
/// The short-vector kernels (dim ≈ 64) of word2vec training and of the HNSW distance, without bounds checks: the dot
/// product and the fused negative-sampling update of word2vec, and <c>y += a·x</c>. Each has the full ladder of
/// <see cref="SimdWidth"/>s, TensorPrimitives-style: whole vectors of the given width, then the last whole vector
/// ending at the last element with the lanes already done masked off (so any length of at least one vector needs no
/// scalar tail); a length below one vector takes the next narrower width. The public entries run at
/// <see cref="SimdWidths.Best"/>, the internal ones at any width (the tests run every supported width against the
/// scalar <c>*Reference</c> versions, at every length).
/// </summary>
/// <remarks>
/// <see cref="Update"/> and <see cref="Axpy"/> multiply then add in every lane, as their scalar loops do, so all
/// widths give bitwise the same results. The dot product fuses multiply and add where the CPU has FMA
/// (<c>MultiplyAddEstimate</c>) and sums in a different order at each width: equal to rounding, not bitwise.
/// </remarks>
public static class Simd
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"lengths differ: {a.Length} and {b.Length}");
        return Dot(SimdWidths.Best, ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), a.Length);
    }

    /// <summary>The dot product of <paramref name="n"/> floats at <paramref name="a"/> and <paramref name="b"/> (the HNSW distance).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe float Dot(float* a, float* b, int n) => Dot(SimdWidths.Best, ref *a, ref *b, n);

    /// <summary><c>grad += g·output; output += g·input</c>, the two halves of one negative-sampling step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Update(float g, ReadOnlySpan<float> input, Span<float> output, Span<float> grad)
    {
        if (input.Length != output.Length || input.Length != grad.Length) throw new ArgumentException("lengths differ");
        Update(SimdWidths.Best, g, ref MemoryMarshal.GetReference(input), ref MemoryMarshal.GetReference(output),
               ref MemoryMarshal.GetReference(grad), input.Length);
    }

    /// <summary><c>y += a·x</c> (<paramref name="x"/> and <paramref name="y"/> do not overlap).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        if (x.Length != y.Length) throw new ArgumentException("lengths differ");
        Axpy(SimdWidths.Best, a, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(y), x.Length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Dot(SimdWidth width, ref float a, ref float b, int n)
    {
        if (width >= SimdWidth.V256 && n == 64) return Dot64(ref a, ref b);
        if (width == SimdWidth.V512 && n >= 16) return Dot512(ref a, ref b, n);
        if (width >= SimdWidth.V256 && n >= 8) return Dot256(ref a, ref b, n);
        if (width >= SimdWidth.V128 && n >= 4) return Dot128(ref a, ref b, n);
        float sum = 0;
        for (int i = 0; i < n; i++) sum += Unsafe.Add(ref a, i) * Unsafe.Add(ref b, i);
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Update(SimdWidth width, float g, ref float input, ref float output, ref float grad, int n)
    {
        if (width == SimdWidth.V512 && n >= 16) Update512(g, ref input, ref output, ref grad, n);
        else if (width >= SimdWidth.V256 && n >= 8) Update256(g, ref input, ref output, ref grad, n);
        else if (width >= SimdWidth.V128 && n >= 4) Update128(g, ref input, ref output, ref grad, n);
        else
            for (int i = 0; i < n; i++)
            {
                float o = Unsafe.Add(ref output, i);
                Unsafe.Add(ref grad, i) += g * o;
                Unsafe.Add(ref output, i) = o + g * Unsafe.Add(ref input, i);
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Axpy(SimdWidth width, float a, ref float x, ref float y, int n)
    {
        if (width == SimdWidth.V512 && n >= 16) Axpy512(a, ref x, ref y, n);
        else if (width >= SimdWidth.V256 && n >= 8) Axpy256(a, ref x, ref y, n);
        else if (width >= SimdWidth.V128 && n >= 4) Axpy128(a, ref x, ref y, n);
        else
            for (int i = 0; i < n; i++) Unsafe.Add(ref y, i) += a * Unsafe.Add(ref x, i);
    }

    /// <summary>
    /// The word vectors' n = 64 (the HNSW distance), unrolled over eight Vector256 in four chains, for V256 and V512:
    /// on Zen 5 the generic loop cost it about 15% and a Vector512 unroll about 10% (its 512-bit reduction is slower).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot64(ref float a, ref float b)
    {
        var p0 = Vector256.LoadUnsafe(ref a) * Vector256.LoadUnsafe(ref b);
        var p1 = Vector256.LoadUnsafe(ref a, 8) * Vector256.LoadUnsafe(ref b, 8);
        var p2 = Vector256.LoadUnsafe(ref a, 16) * Vector256.LoadUnsafe(ref b, 16);
        var p3 = Vector256.LoadUnsafe(ref a, 24) * Vector256.LoadUnsafe(ref b, 24);
        p0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref a, 32), Vector256.LoadUnsafe(ref b, 32), p0);
        p1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref a, 40), Vector256.LoadUnsafe(ref b, 40), p1);
        p2 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref a, 48), Vector256.LoadUnsafe(ref b, 48), p2);
        p3 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref a, 56), Vector256.LoadUnsafe(ref b, 56), p3);
        return Vector256.Sum((p0 + p1) + (p2 + p3));
    }

    // Dot: four chains over four whole vectors at a time, then whole vectors, then the masked last one (n ≥ 1 vector).

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot512(ref float a, ref float b, int n)
    {
        var s0 = Vector512<float>.Zero; var s1 = s0; var s2 = s0; var s3 = s0;
        int i = 0;
        for (; i <= n - 64; i += 64)
        {
            s0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref a, (nuint)i), Vector512.LoadUnsafe(ref b, (nuint)i), s0);
            s1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref a, (nuint)i + 16), Vector512.LoadUnsafe(ref b, (nuint)i + 16), s1);
            s2 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref a, (nuint)i + 32), Vector512.LoadUnsafe(ref b, (nuint)i + 32), s2);
            s3 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref a, (nuint)i + 48), Vector512.LoadUnsafe(ref b, (nuint)i + 48), s3);
        }
        for (; i <= n - 16; i += 16)
            s0 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref a, (nuint)i), Vector512.LoadUnsafe(ref b, (nuint)i), s0);
        if (i < n)
        {
            nuint last = (nuint)(n - 16);
            var fresh = Keep512(i - (n - 16));
            s1 = Vector512.MultiplyAddEstimate(Vector512.LoadUnsafe(ref a, last) & fresh, Vector512.LoadUnsafe(ref b, last), s1);
        }
        return Sum((s0 + s1) + (s2 + s3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot256(ref float a, ref float b, int n)
    {
        var s0 = Vector256<float>.Zero; var s1 = s0; var s2 = s0; var s3 = s0;
        int i = 0;
        for (; i <= n - 32; i += 32)
        {
            s0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref a, (nuint)i), Vector256.LoadUnsafe(ref b, (nuint)i), s0);
            s1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref a, (nuint)i + 8), Vector256.LoadUnsafe(ref b, (nuint)i + 8), s1);
            s2 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref a, (nuint)i + 16), Vector256.LoadUnsafe(ref b, (nuint)i + 16), s2);
            s3 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref a, (nuint)i + 24), Vector256.LoadUnsafe(ref b, (nuint)i + 24), s3);
        }
        for (; i <= n - 8; i += 8)
            s0 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref a, (nuint)i), Vector256.LoadUnsafe(ref b, (nuint)i), s0);
        if (i < n)
        {
            nuint last = (nuint)(n - 8);
            var fresh = Keep256(i - (n - 8));
            s1 = Vector256.MultiplyAddEstimate(Vector256.LoadUnsafe(ref a, last) & fresh, Vector256.LoadUnsafe(ref b, last), s1);
        }
        return Vector256.Sum((s0 + s1) + (s2 + s3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot128(ref float a, ref float b, int n)
    {
        var s0 = Vector128<float>.Zero; var s1 = s0; var s2 = s0; var s3 = s0;
        int i = 0;
        for (; i <= n - 16; i += 16)
        {
            s0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref a, (nuint)i), Vector128.LoadUnsafe(ref b, (nuint)i), s0);
            s1 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref a, (nuint)i + 4), Vector128.LoadUnsafe(ref b, (nuint)i + 4), s1);
            s2 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref a, (nuint)i + 8), Vector128.LoadUnsafe(ref b, (nuint)i + 8), s2);
            s3 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref a, (nuint)i + 12), Vector128.LoadUnsafe(ref b, (nuint)i + 12), s3);
        }
        for (; i <= n - 4; i += 4)
            s0 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref a, (nuint)i), Vector128.LoadUnsafe(ref b, (nuint)i), s0);
        if (i < n)
        {
            nuint last = (nuint)(n - 4);
            var fresh = Keep128(i - (n - 4));
            s1 = Vector128.MultiplyAddEstimate(Vector128.LoadUnsafe(ref a, last) & fresh, Vector128.LoadUnsafe(ref b, last), s1);
        }
        return Vector128.Sum((s0 + s1) + (s2 + s3));
    }

    // Update and Axpy: whole vectors, then the last whole vector with the lanes already written kept as they are.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update512(float g, ref float input, ref float output, ref float grad, int n)
    {
        var vg = Vector512.Create(g);
        int i = 0;
        for (; i <= n - 16; i += 16)
        {
            var o = Vector512.LoadUnsafe(ref output, (nuint)i);
            (Vector512.LoadUnsafe(ref grad, (nuint)i) + vg * o).StoreUnsafe(ref grad, (nuint)i);
            (o + vg * Vector512.LoadUnsafe(ref input, (nuint)i)).StoreUnsafe(ref output, (nuint)i);
        }
        if (i == n) return;
        nuint last = (nuint)(n - 16);
        var fresh = Keep512(i - (n - 16));
        var ol = Vector512.LoadUnsafe(ref output, last);
        var gl = Vector512.LoadUnsafe(ref grad, last);
        Vector512.ConditionalSelect(fresh, gl + vg * ol, gl).StoreUnsafe(ref grad, last);
        Vector512.ConditionalSelect(fresh, ol + vg * Vector512.LoadUnsafe(ref input, last), ol).StoreUnsafe(ref output, last);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update256(float g, ref float input, ref float output, ref float grad, int n)
    {
        var vg = Vector256.Create(g);
        int i = 0;
        for (; i <= n - 8; i += 8)
        {
            var o = Vector256.LoadUnsafe(ref output, (nuint)i);
            (Vector256.LoadUnsafe(ref grad, (nuint)i) + vg * o).StoreUnsafe(ref grad, (nuint)i);
            (o + vg * Vector256.LoadUnsafe(ref input, (nuint)i)).StoreUnsafe(ref output, (nuint)i);
        }
        if (i == n) return;
        nuint last = (nuint)(n - 8);
        var fresh = Keep256(i - (n - 8));
        var ol = Vector256.LoadUnsafe(ref output, last);
        var gl = Vector256.LoadUnsafe(ref grad, last);
        Vector256.ConditionalSelect(fresh, gl + vg * ol, gl).StoreUnsafe(ref grad, last);
        Vector256.ConditionalSelect(fresh, ol + vg * Vector256.LoadUnsafe(ref input, last), ol).StoreUnsafe(ref output, last);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update128(float g, ref float input, ref float output, ref float grad, int n)
    {
        var vg = Vector128.Create(g);
        int i = 0;
        for (; i <= n - 4; i += 4)
        {
            var o = Vector128.LoadUnsafe(ref output, (nuint)i);
            (Vector128.LoadUnsafe(ref grad, (nuint)i) + vg * o).StoreUnsafe(ref grad, (nuint)i);
            (o + vg * Vector128.LoadUnsafe(ref input, (nuint)i)).StoreUnsafe(ref output, (nuint)i);
        }
        if (i == n) return;
        nuint last = (nuint)(n - 4);
        var fresh = Keep128(i - (n - 4));
        var ol = Vector128.LoadUnsafe(ref output, last);
        var gl = Vector128.LoadUnsafe(ref grad, last);
        Vector128.ConditionalSelect(fresh, gl + vg * ol, gl).StoreUnsafe(ref grad, last);
        Vector128.ConditionalSelect(fresh, ol + vg * Vector128.LoadUnsafe(ref input, last), ol).StoreUnsafe(ref output, last);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Axpy512(float a, ref float x, ref float y, int n)
    {
        var va = Vector512.Create(a);
        int i = 0;
        for (; i <= n - 16; i += 16)
            (Vector512.LoadUnsafe(ref y, (nuint)i) + va * Vector512.LoadUnsafe(ref x, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
        if (i == n) return;
        nuint last = (nuint)(n - 16);
        var yl = Vector512.LoadUnsafe(ref y, last);
        Vector512.ConditionalSelect(Keep512(i - (n - 16)), yl + va * Vector512.LoadUnsafe(ref x, last), yl).StoreUnsafe(ref y, last);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Axpy256(float a, ref float x, ref float y, int n)
    {
        var va = Vector256.Create(a);
        int i = 0;
        for (; i <= n - 8; i += 8)
            (Vector256.LoadUnsafe(ref y, (nuint)i) + va * Vector256.LoadUnsafe(ref x, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
        if (i == n) return;
        nuint last = (nuint)(n - 8);
        var yl = Vector256.LoadUnsafe(ref y, last);
        Vector256.ConditionalSelect(Keep256(i - (n - 8)), yl + va * Vector256.LoadUnsafe(ref x, last), yl).StoreUnsafe(ref y, last);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Axpy128(float a, ref float x, ref float y, int n)
    {
        var va = Vector128.Create(a);
        int i = 0;
        for (; i <= n - 4; i += 4)
            (Vector128.LoadUnsafe(ref y, (nuint)i) + va * Vector128.LoadUnsafe(ref x, (nuint)i)).StoreUnsafe(ref y, (nuint)i);
        if (i == n) return;
        nuint last = (nuint)(n - 4);
        var yl = Vector128.LoadUnsafe(ref y, last);
        Vector128.ConditionalSelect(Keep128(i - (n - 4)), yl + va * Vector128.LoadUnsafe(ref x, last), yl).StoreUnsafe(ref y, last);
    }

    /// <summary>The sum of the lanes, through one 256-bit add (Vector512.Sum reduces each half apart: slower).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Sum(Vector512<float> v) => Vector256.Sum(v.GetLower() + v.GetUpper());

    /// <summary>All bits set in lanes <paramref name="done"/> and up: the lanes of the last vector not yet processed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Keep512(int done) =>
        Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(done)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Keep256(int done) =>
        Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(done)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Keep128(int done) =>
        Vector128.GreaterThanOrEqual(Vector128<int>.Indices, Vector128.Create(done)).AsSingle();

    /// <summary>The reference dot product, in double precision.</summary>
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

    public static void AxpyReference(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] += a * x[i];
    }
}
