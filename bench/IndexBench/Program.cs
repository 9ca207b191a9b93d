using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using VecLm.Bench;
using VecLm.Decoder;
using VecLm.Embeddings;

// IndexBench: the veclm side of bench/index. One thread throughout (build and queries), except where a thread count is given.
//   IndexBench brown <vectors.bin> <outdir>   writes base/query/ground-truth files for the hnswlib helper and veclm.json
//   IndexBench scale <outdir> [count]         1,000,000 seeded random vectors: HNSW against exact, scale.json
//   IndexBench exact <vectors.bin> [queries]  exact search's queries/s, one thread (ExactBench)
//   IndexBench rules <vectors.bin> [fit-queries] [threads]   PriorFit time, decoding rules HNSW vs exact (RulesBench)
//   IndexBench build <random|clustered> [count] [threads,…] [repeats]   build time and recall by thread count (BuildBench)
//   IndexBench corpus <text> [repeats]       corpus reading tokens/s: white space, --tokenize, --tokenize --lowercase (CorpusBench)
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
int[] efs = [10, 20, 40, 80, 160];
const int K = 10, M = 16, EfConstruction = 200, Queries = 5000;

if (args is ["brown", var vectorsPath, var outDir]) Brown(vectorsPath, outDir);
else if (args is ["scale", var scaleDir, ..]) Scale(scaleDir, args.Length > 2 ? int.Parse(args[2]) : 1_000_000);
else if (args is ["exact", var exactPath, ..]) ExactBench.Run(exactPath, args.Length > 2 ? int.Parse(args[2]) : 5000);
else if (args is ["rules", var rulesPath, ..])
    RulesBench.Run(rulesPath, args.Length > 2 ? int.Parse(args[2]) : 100_000, args.Length > 3 ? int.Parse(args[3]) : 2);
else if (args is ["build", var kind, ..])
    BuildBench.Run(kind, args.Length > 2 ? int.Parse(args[2]) : 100_000,
                   args.Length > 3 ? args[3].Split(',').Select(int.Parse).ToArray() : [1, 2], args.Length > 4 ? int.Parse(args[4]) : 1);
else if (args is ["corpus", var textPath, ..]) CorpusBench.Run(textPath, args.Length > 2 ? int.Parse(args[2]) : 5);
else
{
    Console.Error.WriteLine("usage: IndexBench brown <vectors.bin> <outdir> | scale <outdir> [count] | exact <vectors.bin> [queries] | "
                            + "rules <vectors.bin> [fit-queries] [threads] | build <random|clustered> [count] [threads,…] [repeats] | corpus <text> [repeats]");
    return 2;
}
return 0;

void Brown(string vectorsPath, string outDir)
{
    var words = WordVectors.Load(vectorsPath);
    int dim = words.Dim, n = words.Count;
    var unit = DotProduct.Normalized(words.Data, dim);
    var self = QuerySets.Rows(unit, dim, QuerySets.Sample(n, Queries, seed: 1));
    var (noisy, meanCos) = QuerySets.Noisy(QuerySets.Rows(unit, dim, QuerySets.Sample(n, Queries, seed: 2)), dim, 0.6, seed: 3);
    Console.Error.WriteLine($"index-bench: {n} × {dim} vectors; noisy queries at mean cosine {meanCos:F3}");

    var exact = new ExactIndex(unit, dim);
    var clock = Stopwatch.StartNew();
    var truthSelf = exact.SearchBatch(self, K, threads: 1);
    double exactQps = Queries / clock.Elapsed.TotalSeconds;
    var truthNoisy = exact.SearchBatch(noisy, K, threads: 1);

    Write(Path.Combine(outDir, "base.f32"), unit);
    Write(Path.Combine(outDir, "self.f32"), self);
    Write(Path.Combine(outDir, "noisy.f32"), noisy);
    Write(Path.Combine(outDir, "self.gt.i32"), truthSelf.SelectMany(h => h.Select(x => x.Id)).ToArray());
    Write(Path.Combine(outDir, "noisy.gt.i32"), truthNoisy.SelectMany(h => h.Select(x => x.Id)).ToArray());

    var (index, build) = BuildTimed(unit, dim);
    var rows = new List<object>();
    foreach (var (name, queries, truth) in new[] { ("self", self, truthSelf), ("noisy", noisy, truthNoisy) })
        foreach (int ef in efs)
            rows.Add(Measure(index, name, queries, truth, ef));
    File.WriteAllText(Path.Combine(outDir, "veclm.json"), JsonSerializer.Serialize(new
    {
        count = n, dim, build_s = build, exact_qps = exactQps, noisy_mean_cosine = meanCos, rows,
    }));
}

void Scale(string outDir, int count)
{
    const int dim = 64, queries = 1000;
    var random = new Random(2024);
    var data = new float[(long)count * dim];
    for (long i = 0; i < data.Length; i++)
        data[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
    var unit = DotProduct.Normalized(data, dim);
    var (noisy, meanCos) = QuerySets.Noisy(QuerySets.Rows(unit, dim, QuerySets.Sample(count, queries, seed: 4)), dim, 0.6, seed: 5);
    var exact = new ExactIndex(unit, dim);
    var clock = Stopwatch.StartNew();
    var truth = exact.SearchBatch(noisy, K, threads: 1);
    double exactQps = queries / clock.Elapsed.TotalSeconds;
    Console.Error.WriteLine($"index-bench: scale: exact {exactQps:F0} q/s; building HNSW over {count:N0} vectors…");
    var (index, build) = BuildTimed(unit, dim);
    var rows = efs.Select(ef => Measure(index, "noisy", noisy, truth, ef)).ToList();
    File.WriteAllText(Path.Combine(outDir, "scale.json"), JsonSerializer.Serialize(new
    {
        count, dim, build_s = build, exact_qps = exactQps, noisy_mean_cosine = meanCos, rows,
    }));
}

(HnswIndex<CosineDistance>, double) BuildTimed(float[] unit, int dim)
{
    var clock = Stopwatch.StartNew();
    var index = HnswIndex.Build(unit, dim, new HnswOptions(M, EfConstruction, Seed: 100, Threads: 1));
    double seconds = clock.Elapsed.TotalSeconds;
    Console.Error.WriteLine($"index-bench: veclm build {seconds:F2} s");
    return (index, seconds);
}

object Measure(HnswIndex<CosineDistance> index, string set, float[] queries, Neighbor[][] truth, int ef)
{
    int dim = index.Dim, n = queries.Length / dim;
    var hits = new Neighbor[n][];
    double best = double.MaxValue;
    for (int rep = 0; rep < 3; rep++)   // best of 3: the machine is shared
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < n; i++) hits[i] = index.Search(queries.AsSpan(i * dim, dim), K, ef);
        best = Math.Min(best, clock.Elapsed.TotalSeconds);
    }
    return new { set, ef, recall1 = QuerySets.Recall(hits, truth, 1), recall10 = QuerySets.Recall(hits, truth, K), qps = n / best };
}

static void Write<T>(string path, T[] values) where T : unmanaged =>
    File.WriteAllBytes(path, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
