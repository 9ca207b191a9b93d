using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using VecLm.Embeddings;

namespace VecLm.Decoder;

/// <summary>
/// A distance the HNSW graph is built with, passed in as a type argument so the JIT inlines it into the hot loops.
/// Smaller is closer. <see cref="ToSimilarity"/> turns a distance back into the similarity reported to users.
/// </summary>
public unsafe interface IDistance
{
    /// <summary>A stable name written into index files, so an index is only loaded with the distance it was built for.</summary>
    static abstract string Name { get; }
    /// <summary>Whether vectors (stored and queries) are scaled to unit length before use.</summary>
    static abstract bool Normalizes { get; }
    static abstract float Distance(float* a, float* b, int dim);
    static abstract float ToSimilarity(float distance);
}

/// <summary>Cosine distance over unit vectors: 1 − a·b, as hnswlib's inner-product space.</summary>
public readonly unsafe struct CosineDistance : IDistance
{
    public static string Name => "cosine";
    public static bool Normalizes => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Distance(float* a, float* b, int dim) => 1f - Simd.Dot(a, b, dim);

    public static float ToSimilarity(float distance) => 1f - distance;
}

/// <summary>Unit-length copies of rows, the form the indexes store and search.</summary>
public static class DotProduct
{
    /// <summary>A copy scaled to unit length (TensorPrimitives); a zero vector stays zero.</summary>
    public static float[] Normalized(ReadOnlySpan<float> data, int dim)
    {
        var result = GC.AllocateUninitializedArray<float>(data.Length, pinned: true);
        data.CopyTo(result);
        for (int off = 0; off < result.Length; off += dim)
        {
            var row = result.AsSpan(off, dim);
            float norm = TensorPrimitives.Norm(row);
            if (norm > 0) TensorPrimitives.Divide(row, norm, row);
        }
        return result;
    }
}
