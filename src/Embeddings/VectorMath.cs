using System.Numerics.Tensors;

namespace VecLm.Embeddings;

/// <summary>Small vector helpers over spans, on TensorPrimitives' SIMD paths.</summary>
public static class VectorMath
{
    /// <summary>Scales <paramref name="v"/> to unit length (a zero vector stays zero); returns its length before.</summary>
    public static float Normalize(Span<float> v)
    {
        float norm = TensorPrimitives.Norm(v);
        if (norm > 0) TensorPrimitives.Divide(v, norm, v);
        return norm;
    }

    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float na = TensorPrimitives.Norm(a), nb = TensorPrimitives.Norm(b);
        return na == 0 || nb == 0 ? 0 : TensorPrimitives.Dot(a, b) / (na * nb);
    }
}
