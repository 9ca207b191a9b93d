using System.Numerics.Tensors;

namespace VecLm.Embeddings;

/// <summary>
/// The CBOW negative-sampling update: the input is the mean of the context words' rows (word2vec C's default), the
/// target the centre word; the input's step is added to every context row.
/// </summary>
public static class Cbow
{
    /// <summary>
    /// One CBOW step. <paramref name="inputs"/> is the whole input matrix, <paramref name="context"/> the ids of the
    /// context words; <paramref name="mean"/> and <paramref name="work"/> (length dim) are scratch.
    /// </summary>
    public static void Update(Span<float> inputs, Span<float> outputs, ReadOnlySpan<int> context, int target,
                               ReadOnlySpan<int> negatives, float alpha, Span<float> mean, Span<float> work)
    {
        int dim = mean.Length;
        if (context.IsEmpty) return;
        mean.Clear();
        foreach (int c in context) Simd.Axpy(1f, inputs.Slice(c * dim, dim), mean);
        TensorPrimitives.Multiply(mean, 1f / context.Length, mean);
        work.Clear();
        SkipGram.NegativeSampling(mean, outputs, target, negatives, alpha, work);
        foreach (int c in context) Simd.Axpy(1f, work, inputs.Slice(c * dim, dim));
    }
}
