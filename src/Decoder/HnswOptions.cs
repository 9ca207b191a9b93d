using VecLm.Embeddings;
namespace VecLm.Decoder;

/// <summary>
/// How an HNSW graph is built: <paramref name="M"/> links per node on the upper layers (2·M on layer 0),
/// <paramref name="EfConstruction"/> candidates searched per insertion, the seed of the level generator, and the
/// number of threads inserting at once (1 = reproducible for a given seed). Defaults as hnswlib's, seed included.
/// </summary>
public sealed record HnswOptions(int M = 16, int EfConstruction = 200, int Seed = 100, int Threads = 1)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first value out of range.</summary>
    public HnswOptions Validated()
    {
        if (M < 2) throw new BadInputException($"M must be at least 2 (got {M})");
        if (M > 10_000) throw new BadInputException($"M must be at most 10000 (got {M})");
        if (EfConstruction < 1) throw new BadInputException($"efConstruction must be at least 1 (got {EfConstruction})");
        if (Threads < 1) throw new BadInputException($"threads must be at least 1 (got {Threads})");
        return this;
    }

    /// <summary>The level normalisation m_L = 1 / ln(M) of the paper.</summary>
    public double LevelMultiplier => 1.0 / Math.Log(M);

    /// <summary>
    /// Each node's top layer, ⌊−ln(U)·m_L⌋ with U uniform in (0, 1], drawn in id order from the seeded generator,
    /// so the layers do not depend on how many threads insert.
    /// </summary>
    public int[] DrawLevels(int count)
    {
        var random = new Random(Seed);
        var levels = new int[count];
        double mL = LevelMultiplier;
        for (int i = 0; i < count; i++)
            levels[i] = Math.Min((int)(-Math.Log(1.0 - random.NextDouble()) * mL), 64);
        return levels;
    }
}
