namespace VecLm.Regressor.Tests;

/// <summary>
/// The chunked column softmax (<see cref="ChunkedSoftmax"/>) against the softmax of each column computed whole in
/// double precision: chunks of one row, of a few rows with a partial last one, and of every row; column counts on
/// and off the SIMD widths; columns split into ranges as threads take them.
/// </summary>
public class ChunkedSoftmaxTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(37, 1, 1)]
    [InlineData(37, 5, 16)]
    [InlineData(37, 37, 17)]
    [InlineData(200, 9, 100)]
    [InlineData(64, 10, 130)]
    [InlineData(300, 64, 129)]
    public void ChunksFoldedGiveEachColumnsSoftmax(int vocabulary, int rows, int n)
    {
        var random = new Random(vocabulary * 31 + rows * 7 + n);
        var z = new float[vocabulary * n];
        for (int i = 0; i < z.Length; i++) z[i] = (float)(random.NextDouble() * 30 - 12);   // wide: exp overflows unshifted; float exponents of ~30 err ~2e-6 relative
        int chunks = (vocabulary + rows - 1) / rows;
        var work = (float[])z.Clone();
        var maxima = new float[chunks * n];
        var runningMax = Enumerable.Repeat(float.NegativeInfinity, n).ToArray();
        var runningSum = new float[n];
        var sum = new float[n];
        var scratch = new float[n];
        for (int c = 0; c < chunks; c++)
        {
            int len = Math.Min(rows, vocabulary - c * rows);
            var chunk = work.AsMemory(c * rows * n, len * n);
            var max = maxima.AsMemory(c * n, n);
            foreach (var (from, count) in Ranges(n))
            {
                ChunkedSoftmax.Open(chunk.Span, len, n, from, count, max.Span, sum);
                ChunkedSoftmax.Fold(runningMax, runningSum, max.Span, sum, scratch, from, count);
            }
        }
        var inverse = runningSum.Select(s => (float)(1.0 / ((double)s * n))).ToArray();
        var gradient = new float[vocabulary * n];
        for (int c = 0; c < chunks; c++)
        {
            int len = Math.Min(rows, vocabulary - c * rows);
            var factor = new float[n];
            foreach (var (from, count) in Ranges(n))
            {
                ChunkedSoftmax.Factor(maxima.AsSpan(c * n, n), runningMax, inverse, factor, from, count);
                ChunkedSoftmax.Scale(work.AsSpan(c * rows * n, len * n), len, n, factor,
                    gradient.AsSpan(c * rows * n, len * n), from, count);
            }
        }
        for (int i = 0; i < n; i++)
        {
            double max = double.NegativeInfinity, total = 0;
            for (int v = 0; v < vocabulary; v++) max = Math.Max(max, z[v * n + i]);
            for (int v = 0; v < vocabulary; v++) total += Math.Exp(z[v * n + i] - max);
            double logSum = Math.Log(total) + max;
            Assert.Equal(logSum, Math.Log(runningSum[i]) + runningMax[i], 1e-6 * Math.Abs(logSum) + 1e-6);
            for (int v = 0; v < vocabulary; v++)
            {
                double expected = Math.Exp(z[v * n + i] - logSum) / n;
                Assert.True(Math.Abs(gradient[v * n + i] - expected) <= 1e-5 * expected + 1e-12,
                    $"column {i}, word {v}: {gradient[v * n + i]} vs {expected}");
            }
        }
    }

    /// <summary>Two ranges of whole 16-column lines when there are enough columns, as two threads take them.</summary>
    private static IEnumerable<(int From, int Count)> Ranges(int n)
    {
        var ranges = new List<(int, int)>();
        ChunkedSoftmax.OverColumns(n, 2, (from, count) => { lock (ranges) ranges.Add((from, count)); });
        return ranges.OrderBy(r => r.Item1);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(63, 2)]
    [InlineData(128, 2)]
    [InlineData(1120, 2)]
    [InlineData(1121, 3)]
    [InlineData(5000, 8)]
    public void ColumnRangesCoverEveryColumnOnce(int n, int threads)
    {
        var seen = new int[n];
        int parts = 0;
        ChunkedSoftmax.OverColumns(n, threads, (from, count) =>
        {
            Interlocked.Increment(ref parts);
            Assert.True(from % 16 == 0 && count > 0, $"range {from} + {count}");
            for (int i = from; i < from + count; i++) Interlocked.Increment(ref seen[i]);
        });
        Assert.All(seen, s => Assert.Equal(1, s));
        Assert.InRange(parts, 1, Math.Max(1, Math.Min(threads, n / 64)));   // a range is at least 64 columns
    }
}
