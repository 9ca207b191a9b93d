namespace VecLm.Decoder.Tests;

/// <summary>
/// Word-like data for the decoding-rule tests, built once per class: 300 clusters of 15 vectors (4,500 × 32), Zipf
/// counts, the exact index and an HNSW index over them (built on one thread, so reproducible), and 1,000 predictions:
/// true words drawn by their counts, the word's unit vector plus Gaussian noise (σ = 0.2 a dimension, so plain cosine
/// gets about two in three right and the prior helps).
/// </summary>
public sealed class RuleFixture
{
    public const int Dim = 32;
    public float[] Vectors { get; } = TestData.ClusteredVectors(300, 15, Dim, 0.6, seed: 11);
    public int Count => Vectors.Length / Dim;
    public long[] Counts { get; }
    public ExactIndex Exact { get; }
    public HnswIndex<CosineDistance> Hnsw { get; }
    public int[] Truth { get; }
    public float[] Queries { get; }

    public RuleFixture()
    {
        Counts = TestData.ZipfCounts(Count, 1_000_000, seed: 12);
        Exact = new ExactIndex(Vectors, Dim);
        Hnsw = HnswIndex.Build(Vectors, Dim, new HnswOptions(M: 16, EfConstruction: 200, Seed: 13, Threads: 1));
        Truth = DrawByCount(Counts, 1000, seed: 14);
        Queries = TestData.NoisyRows(Vectors, Dim, Truth, 0.2, seed: 15);
    }

    /// <summary>Ids drawn with probability proportional to their counts.</summary>
    public static int[] DrawByCount(long[] counts, int n, int seed)
    {
        var random = new Random(seed);
        var cumulative = new long[counts.Length];
        long total = 0;
        for (int w = 0; w < counts.Length; w++) cumulative[w] = total += counts[w];
        return Enumerable.Range(0, n).Select(_ =>
        {
            long r = (long)(random.NextDouble() * total);
            int i = Array.BinarySearch(cumulative, r + 1);
            return i >= 0 ? i : ~i;
        }).ToArray();
    }

    /// <summary>The fraction of queries whose first answer is the same word in both.</summary>
    public static double Top1Agreement(Neighbor[][] a, Neighbor[][] b) =>
        (double)Enumerable.Range(0, a.Length).Count(i => a[i][0].Id == b[i][0].Id) / a.Length;

    /// <summary>The fraction of queries whose first answer is the true word.</summary>
    public double Top1(Neighbor[][] hits) =>
        (double)Enumerable.Range(0, hits.Length).Count(i => hits[i][0].Id == Truth[i]) / hits.Length;
}
