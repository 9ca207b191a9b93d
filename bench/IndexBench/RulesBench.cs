using System.Diagnostics;
using VecLm.Decoder;
using VecLm.Embeddings;

namespace VecLm.Bench;

/// <summary>
/// <c>IndexBench rules &lt;vectors.bin&gt; [fit-queries] [threads]</c>: the decoding rules on real word vectors.
/// Predictions stand in for a model's: a true word drawn by its unigram count, its unit vector plus Gaussian noise
/// (mean cosine 0.6 to the word). Prints the time <see cref="PriorFit.Fit"/> takes (default 100,000 queries, 2 threads)
/// and, on 5,000 other queries, each rule's top-1 accuracy over the exact index and its top-1 agreement between HNSW
/// (M 16, efConstruction 200; 64 and 256 cosine candidates) and exact decoding, with queries/s and how many HNSW
/// answers were certified.
/// </summary>
public static class RulesBench
{
    public static void Run(string vectorsPath, int fitQueries, int threads)
    {
        var words = WordVectors.Load(vectorsPath);
        int dim = words.Dim, n = words.Count;
        var counts = words.Vocabulary.Counts.ToArray();
        var unit = DotProduct.Normalized(words.Data, dim);
        var exact = new ExactIndex(unit, dim);
        Console.WriteLine($"rules-bench: {n} × {dim} vectors (counts {(words.HasCounts ? "from .vocab" : "rank stand-ins")})");

        var (fitSet, fitTruth) = Predictions(unit, dim, counts, fitQueries, seed: 1);
        var clock = Stopwatch.StartNew();
        var fit = PriorFit.Fit(exact, fitSet, fitTruth, counts, threads: threads);
        Console.WriteLine($"rules-bench: PriorFit on {fitQueries:N0} queries × {n:N0} words, {PriorFit.DefaultGrid.Length} β, "
                          + $"{threads} threads: {clock.Elapsed.TotalSeconds:F2} s; β = {fit.Beta:F3}, top-1 {fit.Top1:F4} "
                          + $"(β = 0: {fit.Curve[0].Top1:F4})");

        var (references, _) = Predictions(unit, dim, counts, 20_000, seed: 2);
        clock.Restart();
        var hubness = CslsHubness.Compute(exact, references, 10, threads);
        Console.WriteLine($"rules-bench: CSLS hubness from 20,000 references: {clock.Elapsed.TotalSeconds:F2} s");

        clock.Restart();
        var hnsw = HnswIndex.Build(unit, dim, new HnswOptions(M: 16, EfConstruction: 200, Seed: 100, Threads: threads));
        Console.WriteLine($"rules-bench: HNSW build {clock.Elapsed.TotalSeconds:F2} s (ef {hnsw.DefaultEf})");

        var (queries, truth) = Predictions(unit, dim, counts, 5000, seed: 3);
        int m = truth.Length;
        foreach (var rule in new[] { DecodingRule.Cosine(), DecodingRule.Prior(counts, fit.Beta), DecodingRule.Csls(hubness, 10) })
        foreach (int candidates in new[] { 64, 256 })
        {
            var exactDecoder = new RuleDecoder(exact, rule);
            var hnswDecoder = new RuleDecoder(hnsw, rule, candidates);
            clock.Restart();
            var a = exactDecoder.DecodeBatch(queries, 1, threads: 1);
            double exactQps = m / clock.Elapsed.TotalSeconds;
            clock.Restart();
            var b = new Neighbor[m][];
            int certified = 0;
            for (int i = 0; i < m; i++)
            {
                b[i] = hnswDecoder.Decode(queries.AsSpan(i * dim, dim), 1, out bool sure);
                if (sure) certified++;
            }
            double hnswQps = m / clock.Elapsed.TotalSeconds;
            int agree = Enumerable.Range(0, m).Count(i => a[i][0].Id == b[i][0].Id);
            int right = Enumerable.Range(0, m).Count(i => a[i][0].Id == truth[i]);
            Console.WriteLine($"rules-bench: {rule.Name,-16} candidates {candidates,3}  top-1 {(double)right / m:F4}  "
                              + $"HNSW agrees {(double)agree / m:F4}  "
                              + $"certified {(double)certified / m:F3}  exact {exactQps,7:F0} q/s  HNSW {hnswQps,7:F0} q/s (1 thread)");
        }
    }

    /// <summary>True words drawn by count; each query the word's unit vector plus noise (mean cosine 0.6 to it).</summary>
    private static (float[] Queries, int[] Truth) Predictions(float[] unit, int dim, long[] counts, int n, int seed)
    {
        var random = new Random(seed);
        var cumulative = new long[counts.Length];
        long total = 0;
        for (int w = 0; w < counts.Length; w++) cumulative[w] = total += counts[w];
        var truth = new int[n];
        for (int i = 0; i < n; i++)
        {
            int at = Array.BinarySearch(cumulative, (long)(random.NextDouble() * total) + 1);
            truth[i] = at >= 0 ? at : ~at;
        }
        var (queries, _) = QuerySets.Noisy(QuerySets.Rows(unit, dim, truth), dim, 0.6, seed + 100);
        return (queries, truth);
    }
}
