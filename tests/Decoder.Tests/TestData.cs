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
