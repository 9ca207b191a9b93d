using VecLm.Decoder;
using VecLm.Embeddings;

namespace VecLm.Bench;

/// <summary>The benchmark's query sets: stored vectors themselves, and noisy copies at a target mean cosine.</summary>
public static class QuerySets
{
    public static int[] Sample(int count, int n, int seed)
    {
        var random = new Random(seed);
        var ids = Enumerable.Range(0, count).ToArray();
        random.Shuffle(ids);
        return ids[..Math.Min(n, count)];
    }

    public static float[] Rows(float[] unit, int dim, int[] ids)
    {
        var rows = new float[ids.Length * dim];
        for (int i = 0; i < ids.Length; i++) unit.AsSpan(ids[i] * dim, dim).CopyTo(rows.AsSpan(i * dim, dim));
        return rows;
    }

    /// <summary>
    /// Each source row plus σ·Gaussian noise, renormalised; σ found by bisection so that the mean cosine of a query
    /// to its source is <paramref name="targetCosine"/>. Returns the queries and the mean cosine reached.
    /// </summary>
    public static (float[] Queries, double MeanCosine) Noisy(float[] sources, int dim, double targetCosine, int seed)
    {
        var random = new Random(seed);
        var noise = new float[sources.Length];
        for (int i = 0; i < noise.Length; i++)
            noise[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        double lo = 0, hi = 10;
        float[] queries = [];
        double mean = 1;
        for (int step = 0; step < 40; step++)
        {
            double sigma = (lo + hi) / 2;
            (queries, mean) = Apply(sources, noise, dim, (float)sigma);
            if (mean > targetCosine) lo = sigma; else hi = sigma;
        }
        return (queries, mean);
    }

    private static (float[], double) Apply(float[] sources, float[] noise, int dim, float sigma)
    {
        var q = new float[sources.Length];
        for (int i = 0; i < q.Length; i++) q[i] = sources[i] + sigma * noise[i];
        q = DotProduct.Normalized(q, dim);
        double sum = 0;
        int n = q.Length / dim;
        for (int i = 0; i < n; i++) sum += Simd.Dot(q.AsSpan(i * dim, dim), sources.AsSpan(i * dim, dim));
        return (q, sum / n);
    }

    /// <summary>Recall@k of HNSW hits against the exact top-k (only the first k of each are compared).</summary>
    public static double Recall(Neighbor[][] hits, Neighbor[][] exact, int k)
    {
        long found = 0, total = 0;
        for (int i = 0; i < exact.Length; i++)
        {
            var truth = exact[i].Take(k).Select(n => n.Id).ToHashSet();
            found += hits[i].Take(k).Count(n => truth.Contains(n.Id));
            total += truth.Count;
        }
        return (double)found / total;
    }
}
