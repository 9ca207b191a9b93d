using VecLm.Embeddings;

namespace VecLm.Decoder.Tests;

public sealed class DistanceTests
{
    /// <summary>The HNSW distance is one minus Embeddings' dot product (the one SIMD dot, tested at every width there).</summary>
    [Fact]
    public unsafe void Cosine_distance_is_one_minus_the_dot_product_at_every_length_1_to_256()
    {
        var random = new Random(11);
        for (int length = 1; length <= 256; length++)
        {
            var a = new float[length];
            var b = new float[length];
            for (int i = 0; i < length; i++)
            {
                a[i] = (float)(random.NextDouble() * 2 - 1);
                b[i] = (float)(random.NextDouble() * 2 - 1);
            }
            double reference = 0;
            for (int i = 0; i < length; i++) reference += (double)a[i] * b[i];
            fixed (float* pa = a, pb = b)
            {
                float distance = CosineDistance.Distance(pa, pb, length);
                Assert.Equal(1f - Simd.Dot(a, b), distance);
                Assert.True(Math.Abs(1 - distance - reference) <= 1e-5 * Math.Max(1, Math.Sqrt(length)),
                            $"length {length}: distance {distance}, reference dot {reference}");
            }
        }
    }

    [Fact]
    public void Normalized_rows_have_unit_length_and_zero_rows_stay_zero()
    {
        var rows = DotProduct.Normalized(new float[] { 3, 4, 0, 0, 0, 5 }, 2);
        Assert.Equal(new float[] { 0.6f, 0.8f, 0, 0, 0, 1 }, rows);
    }
}
