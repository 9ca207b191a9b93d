using VecLm.Embeddings;

namespace VecLm.Decoder.Tests;

/// <summary>The blocked kernels of <see cref="ExactIndex"/> at every width this machine runs, against the scalar reference.</summary>
public sealed class ExactKernelTests
{
    /// <summary>The widths this process runs: scalar always, each vector width the JIT accelerates.</summary>
    public static TheoryData<SimdWidth> Widths => new(SimdWidths.Supported);

    /// <summary>
    /// Random rows with exact ties built in: the last row repeats row 0, the middle one row 1 (with their biases), and
    /// query 0 is row 0 itself; at dim 1 every cosine is ±1, so ties are everywhere.
    /// </summary>
    private static (float[] Rows, float[] Queries, float[] Bias) Case(int count, int dim, int queries, int seed)
    {
        var rows = TestData.RandomVectors(count, dim, seed);
        var q = TestData.RandomVectors(queries, dim, seed + 1000);
        var random = new Random(seed);
        var bias = Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        if (count >= 3)
        {
            rows.AsSpan(0, dim).CopyTo(rows.AsSpan((count - 1) * dim));
            rows.AsSpan(dim, dim).CopyTo(rows.AsSpan(count / 2 * dim));
            bias[count - 1] = bias[0];
            bias[count / 2] = bias[1];
        }
        rows.AsSpan(0, dim).CopyTo(q);
        return (rows, q, bias);
    }

    private static void AssertSame(Neighbor[][] expected, Neighbor[][] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(expected[i].Select(h => h.Id).SequenceEqual(actual[i].Select(h => h.Id)),
                        $"{what}, query {i}: ids {string.Join(",", actual[i].Select(h => h.Id))}, "
                        + $"reference {string.Join(",", expected[i].Select(h => h.Id))}");
            for (int j = 0; j < expected[i].Length; j++)
            {
                Assert.Equal(expected[i][j].Score, actual[i][j].Score, 1e-5f);
                Assert.Equal(expected[i][j].Cosine, actual[i][j].Cosine, 1e-5f);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Search_matches_the_scalar_reference_at_dims_1_to_70_and_counts_1_to_100(SimdWidth width)
    {
        // Every dim meets 20 counts and every count 14 dims (a fifth of the grid, to keep the test quick); nine
        // queries: two full groups of four and a lone one, the two kernel shapes.
        for (int dim = 1; dim <= 70; dim++)
            for (int count = 1 + (dim % 5); count <= 100; count += 5)
                Compare(width, count, dim, queries: 9, k: 1 + (dim * 7 + count) % 12, seed: dim * 1000 + count);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Search_matches_the_scalar_reference_at_1000_rows_and_any_k(SimdWidth width)
    {
        foreach (int dim in new[] { 1, 7, 15, 16, 17, 33, 64, 70 })
            foreach (int k in new[] { 1, 10, 100, 1000, 1200 })
                Compare(width, 1000, dim, queries: 7, k, seed: dim + k);
        // 70 queries: three blocks of a batch on two threads, the last of six queries.
        var (rows, q, bias) = Case(1000, 24, 70, seed: 5);
        var index = new ExactIndex(rows, 24) { Width = width };
        AssertSame(ExactReference.Search(index.UnitVectors, 24, q, 10, bias), index.SearchBatch(q, 10, threads: 2, bias),
                   "two threads");
    }

    private static void Compare(SimdWidth width, int count, int dim, int queries, int k, int seed)
    {
        var (rows, q, bias) = Case(count, dim, queries, seed);
        var index = new ExactIndex(rows, dim) { Width = width };
        string what = $"{width}, dim {dim}, count {count}, k {k}";
        var reference = ExactReference.Search(index.UnitVectors, dim, q, k, []);
        var plain = index.SearchBatch(q, k, threads: 1);
        for (int i = 0; i < plain.Length; i++)
            Assert.Equal(reference[i].Select(h => new Neighbor(h.Id, h.Cosine)), plain[i]);
        var biased = ExactReference.Search(index.UnitVectors, dim, q, k, bias);
        AssertSame(biased, index.SearchBatch(q, k, threads: 1, bias), what + ", bias");
        AssertSame([biased[1]], index.SearchBatch(q.AsSpan(dim, dim), k, threads: 1, bias), what + ", bias, one query");
        AssertSame([reference[2]], index.SearchBatch(q.AsSpan(2 * dim, dim), k, threads: 1, []), what + ", one query");
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void ScoreAll_writes_the_reference_scores(SimdWidth width)
    {
        foreach (int dim in new[] { 1, 5, 16, 31, 64, 70 })
            foreach (int count in new[] { 1, 15, 16, 17, 64, 65, 300 })
                foreach (int n in new[] { 1, 2, 3, 4, 5, 9, 40 })
                {
                    var (rows, q, bias) = Case(count, dim, n, seed: dim * count + n);
                    var index = new ExactIndex(rows, dim) { Width = width };
                    foreach (var b in new[] { Array.Empty<float>(), bias })
                    {
                        var expected = ExactReference.Scores(index.UnitVectors, dim, q, b, out _);
                        var actual = new float[n * count];
                        index.ScoreAll(q, actual, b);
                        for (int i = 0; i < expected.Length; i++)   // bitwise: every width runs the reference's chain
                            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                                        $"{width} dim {dim} count {count} n {n}: score {i} is {actual[i]}, reference {expected[i]}");
                    }
                }
    }

    [Fact]
    public void Ties_are_broken_by_smaller_id_with_and_without_bias()
    {
        // Three directions, each stored at five ids; the bias favours the second direction's copies equally.
        var distinct = new float[] { 1, 0, 0, 0.6f, 0.8f, 0, 0, 0, 1 };
        var rows = Enumerable.Range(0, 15).SelectMany(i => distinct.Skip(i % 3 * 3).Take(3)).ToArray();
        var index = new ExactIndex(rows, 3);
        var query = new float[] { 2, 0, 0 };
        Assert.Equal(new[] { 0, 3, 6, 9, 12, 1, 4 }, index.Search(query, 7).Select(h => h.Id));
        var bias = Enumerable.Range(0, 15).Select(i => i % 3 == 1 ? 0.5f : 0f).ToArray();
        var biased = index.SearchBatch(query, 7, 1, bias)[0];
        Assert.Equal(new[] { 1, 4, 7, 10, 13, 0, 3 }, biased.Select(h => h.Id));
        Assert.All(biased, h => Assert.Equal(h.Cosine + bias[h.Id], h.Score));
        Assert.Equal(0.6f, biased[0].Cosine, 1e-6f);
    }

    [Fact]
    public void Vector_returns_the_normalised_row()
    {
        var index = new ExactIndex(new float[] { 3, 4, 0, 2 }, 2);
        Assert.Equal(new[] { 0.6f, 0.8f }, index.Vector(0).ToArray());
        Assert.Equal(new[] { 0f, 1f }, index.Vector(1).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Vector(2).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Vector(-1).ToArray());
    }

    [Fact]
    public void Bad_arguments_are_rejected_with_clear_messages()
    {
        var index = new ExactIndex(TestData.RandomVectors(20, 4, seed: 1), 4);
        Assert.Contains("k must be at least 1", Assert.Throws<ArgumentException>(() => index.Search(new float[4], 0)).Message);
        Assert.Contains("k must be at least 1",
                        Assert.Throws<ArgumentException>(() => index.SearchBatch(new float[8], -1, 1, new float[20])).Message);
        Assert.Contains("not rows of the index's dimension 4",
                        Assert.Throws<ArgumentException>(() => index.SearchBatch(new float[6], 3)).Message);
        Assert.Contains("query has 5 values", Assert.Throws<ArgumentException>(() => index.Search(new float[5], 3)).Message);
        Assert.Contains("the bias has 19 values, the index 20 rows",
                        Assert.Throws<ArgumentException>(() => index.SearchBatch(new float[4], 3, 1, new float[19])).Message);
        Assert.Contains("the bias has 21 values",
                        Assert.Throws<ArgumentException>(() => index.ScoreAll(new float[4], new float[20], new float[21])).Message);
        Assert.Contains("2 queries × 20 rows need 40",
                        Assert.Throws<ArgumentException>(() => index.ScoreAll(new float[8], new float[39])).Message);
        Assert.Contains("not rows", Assert.Throws<ArgumentException>(() => index.ScoreAll(new float[7], new float[20])).Message);
    }

    [Fact]
    public void An_empty_index_answers_every_query_with_nothing()
    {
        var index = new ExactIndex(ReadOnlySpan<float>.Empty, 3);
        var hits = index.SearchBatch(new float[6], 4);
        Assert.Equal(2, hits.Length);
        Assert.All(hits, Assert.Empty);
        index.ScoreAll(new float[6], Span<float>.Empty);
    }

    [Fact]
    public void A_k_beyond_the_row_count_returns_every_row()
    {
        var index = new ExactIndex(TestData.RandomVectors(5, 3, seed: 4), 3);
        Assert.Equal(5, index.Search(new float[] { 1, 2, 3 }, int.MaxValue).Length);
    }
}
