using System.Diagnostics;
using System.Security.Cryptography;
using VecLm.Decoder;

namespace VecLm.Bench;

/// <summary>
/// <c>IndexBench build &lt;random|clustered&gt; [count] [threads,…] [repeats]</c>: HNSW build time at each thread count
/// (M 16, efConstruction 200, seed 100) over seeded 64-dim vectors, default 100,000: <c>random</c> Gaussian, or
/// <c>clustered</c> (count / 100 Gaussian centres, each row a random centre plus 1.5·Gaussian noise, word-like).
/// Per thread count: wall seconds and process CPU seconds of the build (best of the repeats, the machine is shared),
/// recall@10 at ef 64 against exact search on 1,000 queries drawn like the rows, the nodes unreachable on layer 0,
/// and a hash of the saved graph (equal hashes: the same graph bit for bit, which one thread must give for a seed).
/// </summary>
public static class BuildBench
{
    private const int Dim = 64, Queries = 1000, K = 10, Ef = 64;

    public static void Run(string kind, int count, int[] threads, int repeats)
    {
        var (rows, queries) = kind switch
        {
            "random" => (Gaussian(count, seed: 11), Gaussian(Queries, seed: 12)),
            "clustered" => Clustered(count, Queries, seed: 13),
            _ => throw new ArgumentException($"unknown data '{kind}' (random or clustered)"),
        };
        var unit = DotProduct.Normalized(rows, Dim);
        var truth = new ExactIndex(unit, Dim).SearchBatch(queries, K, threads: 1);
        Console.WriteLine($"build-bench: {kind} {count:N0} × {Dim}, M 16, efConstruction 200, best of {repeats}; "
                          + $"load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        foreach (int t in threads)
        {
            double wall = double.MaxValue, cpu = double.MaxValue;
            HnswIndex<CosineDistance>? index = null;
            for (int rep = 0; rep < repeats; rep++)
            {
                index = null;
                GC.Collect();
                var process = Process.GetCurrentProcess();
                var cpu0 = process.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                index = HnswIndex.Build(unit, Dim, new HnswOptions(M: 16, EfConstruction: 200, Seed: 100, Threads: t));
                wall = Math.Min(wall, clock.Elapsed.TotalSeconds);
                process.Refresh();
                cpu = Math.Min(cpu, (process.TotalProcessorTime - cpu0).TotalSeconds);
            }
            var hits = new Neighbor[Queries][];
            for (int i = 0; i < Queries; i++) hits[i] = index!.Search(queries.AsSpan(i * Dim, Dim), K, Ef);
            var problems = index!.FindIntegrityProblems();
            Console.WriteLine($"build-bench: {kind,-9} threads {t}  wall {wall,7:F2} s  CPU {cpu,7:F2} s  "
                              + $"recall@10 (ef {Ef}) {QuerySets.Recall(hits, truth, K):F4}  "
                              + $"integrity {(problems.Count == 0 ? "ok" : string.Join("; ", problems.Take(2)))}  "
                              + $"graph {GraphHash(index)}");
        }
    }

    /// <summary>The first 16 hex digits of the SHA-256 of the saved graph.</summary>
    private static string GraphHash(HnswIndex<CosineDistance> index)
    {
        string path = Path.GetTempFileName();
        try
        {
            index.Save(path);
            return Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)))[..16];
        }
        finally { File.Delete(path); }
    }

    private static float[] Gaussian(int count, int seed)
    {
        var random = new Random(seed);
        var data = new float[(long)count * Dim];
        for (long i = 0; i < data.Length; i++)
            data[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return data;
    }

    /// <summary>Rows and queries alike: a random centre of count / 100 plus 1.5·Gaussian noise.</summary>
    private static (float[] Rows, float[] Queries) Clustered(int count, int queries, int seed)
    {
        var centres = Gaussian(Math.Max(1, count / 100), seed);
        int clusters = centres.Length / Dim;
        var random = new Random(seed + 1);
        float[] Draw(int n, int noiseSeed)
        {
            var noise = Gaussian(n, noiseSeed);
            for (int i = 0; i < n; i++)
            {
                int c = random.Next(clusters);
                for (int d = 0; d < Dim; d++) noise[i * Dim + d] = centres[c * Dim + d] + 1.5f * noise[i * Dim + d];
            }
            return noise;
        }
        return (Draw(count, seed + 2), Draw(queries, seed + 3));
    }
}
