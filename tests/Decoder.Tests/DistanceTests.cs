namespace VecLm.Decoder.Tests;

public sealed class DistanceTests
{
    [Fact]
    public unsafe void Simd_dot_matches_a_scalar_reference_at_every_length_1_to_256()
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
            float simd = DotProduct.Dot(a, b);
            Assert.True(Math.Abs(simd - reference) <= 1e-5 * Math.Max(1, Math.Sqrt(length)),
                        $"length {length}: simd {simd}, reference {reference}");
            fixed (float* pa = a, pb = b)
                Assert.Equal(1f - simd, CosineDistance.Distance(pa, pb, length), 1e-6f);
        }
    }

    [Fact]
    public void Dot_rejects_different_lengths() =>
        Assert.Throws<ArgumentException>(() => DotProduct.Dot(new float[3], new float[4]));

    [Fact]
    public void Normalized_rows_have_unit_length_and_zero_rows_stay_zero()
    {
        var rows = DotProduct.Normalized(new float[] { 3, 4, 0, 0, 0, 5 }, 2);
        Assert.Equal(new float[] { 0.6f, 0.8f, 0, 0, 0, 1 }, rows);
    }
}
