namespace VecLm.Embeddings;

/// <summary>
/// The negative-sampling update of word2vec, one static function per architecture, over spans.
/// For an input vector h, a target word t and negatives n₁…n_k, the loss is
/// <c>L = −log σ(u_t·h) − Σ log σ(−u_n·h)</c>; one SGD step with rate α moves every output row u and h against
/// ∂L. As in word2vec C, |u·h| beyond <see cref="MaxExp"/> saturates σ to 0 or 1.
/// </summary>
public static class SkipGram
{
    public const float MaxExp = 6f;

    /// <summary>
    /// One skip-gram step: <paramref name="input"/> is the context word's row of the input matrix,
    /// <paramref name="outputs"/> the whole output matrix (rows of <c>input.Length</c>). Updates both in place and
    /// returns the loss before the step. <paramref name="work"/> (length dim) is scratch.
    /// </summary>
    public static float Update(Span<float> input, Span<float> outputs, int target, ReadOnlySpan<int> negatives,
                               float alpha, Span<float> work)
    {
        work.Clear();
        float loss = NegativeSampling(input, outputs, target, negatives, alpha, work);
        Simd.Axpy(1f, work, input);
        return loss;
    }

    /// <summary>
    /// The shared core: updates the output rows of <paramref name="target"/> (label 1) and of each negative (label 0)
    /// and adds the step for the input vector <paramref name="h"/> to <paramref name="hStep"/> (not to h itself:
    /// CBOW spreads it over the context words). A negative equal to the target is skipped. Returns the loss.
    /// </summary>
    public static float NegativeSampling(ReadOnlySpan<float> h, Span<float> outputs, int target,
                                         ReadOnlySpan<int> negatives, float alpha, Span<float> hStep)
    {
        int dim = h.Length;
        float loss = Step(h, outputs.Slice(target * dim, dim), 1f, alpha, hStep);
        foreach (int n in negatives)
            if (n != target) loss += Step(h, outputs.Slice(n * dim, dim), 0f, alpha, hStep);
        return loss;
    }

    private static float Step(ReadOnlySpan<float> h, Span<float> u, float label, float alpha, Span<float> hStep)
    {
        float f = Simd.Dot(h, u);
        float sigma = f > MaxExp ? 1f : f < -MaxExp ? 0f : 1f / (1f + MathF.Exp(-f));
        float g = (label - sigma) * alpha;
        Simd.Update(g, h, u, hStep);
        float p = label == 1f ? sigma : 1f - sigma;
        return -MathF.Log(MathF.Max(p, 1e-7f));
    }
}
