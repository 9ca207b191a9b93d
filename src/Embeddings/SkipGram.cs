using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace VecLm.Embeddings;

/// <summary>
/// The negative-sampling update of word2vec, one static function per architecture, over spans.
/// For an input vector h, a target word t and negatives n₁…n_k, the loss is
/// <c>L = −log σ(u_t·h) − Σ log σ(−u_n·h)</c> (<see cref="Loss"/>); one SGD step with rate α moves every output row u
/// and h against ∂L. As in word2vec C, |u·h| beyond <see cref="Sigmoid.MaxExp"/> saturates σ to 0 or 1.
/// </summary>
public static class SkipGram
{
    /// <summary>
    /// One skip-gram step: <paramref name="input"/> is the context word's row of the input matrix,
    /// <paramref name="outputs"/> the whole output matrix (rows of <c>input.Length</c>). Updates both in place.
    /// <paramref name="work"/> (length dim) is scratch.
    /// </summary>
    public static void Update(Span<float> input, Span<float> outputs, int target, ReadOnlySpan<int> negatives,
                              float alpha, Span<float> work)
    {
        work.Clear();
        NegativeSampling(input, outputs, target, negatives, alpha, work);
        Simd.Axpy(1f, work, input);
    }

    /// <summary>
    /// The shared core: updates the output rows of <paramref name="target"/> (label 1) and of each negative (label 0)
    /// and adds the step for the input vector <paramref name="h"/> to <paramref name="hStep"/> (not to h itself:
    /// CBOW spreads it over the context words). A negative equal to the target is skipped, as in word2vec C.
    /// </summary>
    public static void NegativeSampling(ReadOnlySpan<float> h, Span<float> outputs, int target,
                                        ReadOnlySpan<int> negatives, float alpha, Span<float> hStep)
    {
        int dim = h.Length;
        // The rows are scattered over a matrix larger than the cache: ask for all of them before the first is used.
        Prefetch(outputs, target, dim);
        foreach (int n in negatives) Prefetch(outputs, n, dim);
        Step(h, outputs.Slice(target * dim, dim), 1f, alpha, hStep);
        foreach (int n in negatives)
            if (n != target) Step(h, outputs.Slice(n * dim, dim), 0f, alpha, hStep);
    }

    /// <summary>The loss of <see cref="NegativeSampling"/> at the current parameters (for tests and monitoring).</summary>
    public static double Loss(ReadOnlySpan<float> h, ReadOnlySpan<float> outputs, int target, ReadOnlySpan<int> negatives)
    {
        int dim = h.Length;
        double loss = -Math.Log(Math.Max(Sigmoid.Exact(Simd.Dot(h, outputs.Slice(target * dim, dim))), 1e-30));
        foreach (int n in negatives)
            if (n != target) loss -= Math.Log(Math.Max(1 - Sigmoid.Exact(Simd.Dot(h, outputs.Slice(n * dim, dim))), 1e-30));
        return loss;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Step(ReadOnlySpan<float> h, Span<float> u, float label, float alpha, Span<float> hStep)
    {
        float sigma = Sigmoid.Of(Simd.Dot(h, u));
        Simd.Update((label - sigma) * alpha, h, u, hStep);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void Prefetch(ReadOnlySpan<float> matrix, int row, int dim)
    {
        if (!Sse.IsSupported) return;
        ref float start = ref Unsafe.Add(ref MemoryMarshal.GetReference(matrix), row * dim);
        Prefetch((float*)Unsafe.AsPointer(ref start), dim);
    }

    /// <summary>Asks for the cache lines of the <paramref name="dim"/> floats at <paramref name="row"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void Prefetch(float* row, int dim)
    {
        if (!Sse.IsSupported) return;
        byte* p = (byte*)row;
        for (int offset = 0; offset < dim * sizeof(float); offset += 64) Sse.Prefetch0(p + offset);
    }
}
