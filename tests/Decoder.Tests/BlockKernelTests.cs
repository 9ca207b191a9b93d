using System.Runtime.InteropServices;
using VecLm.Embeddings;

namespace VecLm.Decoder.Tests;

/// <summary>
/// <see cref="BlockKernel"/>'s two kernels called directly at every width this process runs and every dimension
/// 0..70 (and some larger), against one fused multiply-add per dimension in order: the scores must be bitwise equal
/// (the invariant that gives every width the same neighbours and the same ties) and the compare bits exact.
/// </summary>
public sealed unsafe class BlockKernelTests
{
    public static TheoryData<SimdWidth> Widths => new(SimdWidths.Supported);

    private const int Rows = BlockKernel.Rows, Blocks = BlockKernel.OneQueryBlocks;
    private static readonly int[] Dims = [.. Enumerable.Range(0, 71), 100, 128, 300];

    private static float[] Uniform(Random random, int n) =>
        Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

    /// <summary>Row <paramref name="r"/> of a dimension-major block against a query, as every kernel lane computes it.</summary>
    private static float Sequential(float[] blocks, int first, float[] queries, int q, int r, int dim, float[]? bias, int b)
    {
        float acc = 0;
        for (int d = 0; d < dim; d++) acc = MathF.FusedMultiplyAdd(queries[q * dim + d], blocks[first + d * Rows + r], acc);
        return bias == null ? acc : acc + bias[b];
    }

    /// <summary>A threshold some scores are above and some not: the median (ties: the bits still follow "&gt;").</summary>
    private static float Median(ReadOnlySpan<float> scores)
    {
        var sorted = scores.ToArray();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }

    private static void AssertBitwise(float[] expected, float* actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                        $"{what}: score {i} is {actual[i]}, sequential {expected[i]}");
    }

    private static ulong Bits(float[] scores, int group, Func<int, float> threshold)
    {
        ulong bits = 0;
        for (int i = 0; i < scores.Length; i++)
            if (scores[i] > threshold(i / group)) bits |= 1ul << i;
        return bits;
    }

    [Fact]
    public void The_index_runs_the_widest_width_except_an_emulated_fused_multiply_add()
    {
        Assert.Contains(BlockKernel.Best, SimdWidths.Supported);
        if (SimdWidths.Best >= SimdWidth.V256) Assert.Equal(SimdWidths.Best, BlockKernel.Best);
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0" && RuntimeInformation.ProcessArchitecture == Architecture.X64)
            Assert.Equal(SimdWidth.Scalar, BlockKernel.Best);   // no FMA: Vector128 would emulate it, slower than scalar
        Assert.Equal(BlockKernel.Best, new ExactIndex(new float[] { 1, 0 }, 2).Width);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void FourQueries_scores_bitwise_as_the_sequential_chain(SimdWidth width)
    {
        var random = new Random(7);
        foreach (int dim in Dims)
            foreach (bool biased in new[] { false, true })
            {
                var block = Uniform(random, Rows * dim);
                var queries = Uniform(random, 4 * dim);
                var bias = biased ? Uniform(random, Rows) : null;
                var expected = new float[4 * Rows];
                for (int j = 0; j < 4; j++)
                    for (int r = 0; r < Rows; r++)
                        expected[j * Rows + r] = Sequential(block, 0, queries, j, r, dim, bias, r);
                var thresholds = Enumerable.Range(0, 4).Select(j => Median(expected.AsSpan(j * Rows, Rows))).ToArray();
                thresholds[3] = float.NegativeInfinity;
                var scores = new float[4 * Rows];
                ulong bits;
                fixed (float* b = block, q = queries, bp = bias, t = thresholds, s = scores)
                {
                    bits = BlockKernel.FourQueries(width, b, dim, q, q + dim, q + 2 * dim, q + 3 * dim, bp, t, s);
                    AssertBitwise(expected, s, $"{width}, dim {dim}, bias {biased}");
                }
                Assert.Equal(Bits(expected, Rows, j => thresholds[j]), bits);
            }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void OneQuery_scores_bitwise_as_the_sequential_chain(SimdWidth width)
    {
        var random = new Random(8);
        foreach (int dim in Dims)
            foreach (bool biased in new[] { false, true })
            {
                var blocks = Uniform(random, Blocks * Rows * dim);
                var query = Uniform(random, dim);
                var bias = biased ? Uniform(random, Blocks * Rows) : null;
                var expected = new float[Blocks * Rows];
                for (int b = 0; b < Blocks; b++)
                    for (int r = 0; r < Rows; r++)
                        expected[b * Rows + r] = Sequential(blocks, b * Rows * dim, query, 0, r, dim, bias, b * Rows + r);
                float threshold = Median(expected);
                var scores = new float[Blocks * Rows];
                ulong bits;
                fixed (float* b = blocks, q = query, bp = bias, s = scores)
                {
                    bits = BlockKernel.OneQuery(width, b, dim, q, bp, threshold, s);
                    AssertBitwise(expected, s, $"{width}, dim {dim}, bias {biased}");
                }
                Assert.Equal(Bits(expected, 1, _ => threshold), bits);
            }
    }
}
