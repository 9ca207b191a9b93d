namespace VecLm.Decoder.Tests;

/// <summary>Seeded random vectors and the indexes over them, shared by the tests (built once per class fixture).</summary>
public static class TestData
{
    /// <summary>Gaussian vectors (Box–Muller), row-major, not normalised.</summary>
    public static float[] RandomVectors(int count, int dim, int seed)
    {
        var random = new Random(seed);
        var data = new float[count * dim];
        for (int i = 0; i < data.Length; i++)
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            data[i] = (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return data;
    }

    /// <summary>
    /// Word-like vectors: <paramref name="clusters"/> Gaussian centres, each with <paramref name="perCluster"/> members at
    /// centre + <paramref name="spread"/>·Gaussian noise; row-major, not normalised, cluster by cluster.
    /// </summary>
    public static float[] ClusteredVectors(int clusters, int perCluster, int dim, double spread, int seed)
    {
        var centres = RandomVectors(clusters, dim, seed);
        var noise = RandomVectors(clusters * perCluster, dim, seed + 1);
        var data = new float[clusters * perCluster * dim];
        for (int c = 0; c < clusters; c++)
            for (int m = 0; m < perCluster; m++)
                for (int d = 0; d < dim; d++)
                {
                    int row = c * perCluster + m;
                    data[row * dim + d] = centres[c * dim + d] + (float)spread * noise[row * dim + d];
                }
        return data;
    }

    /// <summary>The rows with every <paramref name="every"/>-th one replaced by a copy of the row before it.</summary>
    public static float[] WithCopies(float[] vectors, int dim, int every)
    {
        var rows = (float[])vectors.Clone();
        for (int row = every - 1; row < rows.Length / dim; row += every)
            Array.Copy(vectors, (row - 1) * dim, rows, row * dim, dim);
        return rows;
    }

    /// <summary>
    /// Noisy copies of the rows <paramref name="ids"/> of <paramref name="vectors"/>: each row normalised, plus
    /// <paramref name="sigma"/>·Gaussian noise per dimension (predicted vectors that miss their word a little).
    /// </summary>
    public static float[] NoisyRows(float[] vectors, int dim, int[] ids, double sigma, int seed)
    {
        var unit = DotProduct.Normalized(vectors, dim);
        var noise = RandomVectors(ids.Length, dim, seed);
        var rows = new float[ids.Length * dim];
        for (int i = 0; i < ids.Length; i++)
            for (int d = 0; d < dim; d++)
                rows[i * dim + d] = unit[ids[i] * dim + d] + (float)sigma * noise[i * dim + d];
        return rows;
    }

    /// <summary>Zipf-like counts: word w of <paramref name="count"/> seen about <c>scale / (rank + 1)</c> times, ranks shuffled.</summary>
    public static long[] ZipfCounts(int count, long scale, int seed)
    {
        var ranks = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(ranks);
        return ranks.Select(r => scale / (r + 1)).ToArray();
    }

    /// <summary>Fraction of the exact top-k ids that the approximate answers contain, over all queries.</summary>
    public static double Recall(Neighbor[][] approximate, Neighbor[][] exact)
    {
        long found = 0, total = 0;
        for (int i = 0; i < exact.Length; i++)
        {
            var truth = exact[i].Select(n => n.Id).ToHashSet();
            found += approximate[i].Count(n => truth.Contains(n.Id));
            total += truth.Count;
        }
        return (double)found / total;
    }
}

/// <summary>5,000 × 64 seeded random vectors with an HNSW index (M = 16, efConstruction = 200) and the exact one.</summary>
public sealed class RandomIndexFixture
{
    public const int Count = 5000, Dim = 64;
    public float[] Vectors { get; } = TestData.RandomVectors(Count, Dim, seed: 7);
    public HnswIndex<CosineDistance> Hnsw { get; }
    public ExactIndex Exact { get; }

    public RandomIndexFixture()
    {
        Hnsw = HnswIndex.Build(Vectors, Dim, new HnswOptions(M: 16, EfConstruction: 200, Seed: 42, Threads: 2));
        Exact = new ExactIndex(Vectors, Dim);
    }
}
