using System.Diagnostics;
using VecLm.Decoder;
using VecLm.Embeddings;

namespace VecLm.Bench;

/// <summary>
/// <c>IndexBench exact &lt;vectors.bin&gt; [queries]</c>: exact search's queries/s on one thread (best of 3) for k = 1
/// and 10, noisy queries (mean cosine 0.6 to a stored vector) against every vector of the file: the blocked kernel of
/// <see cref="ExactIndex"/> against the scan it replaced (one horizontal-sum dot per pair), in the same run.
/// </summary>
public static unsafe class ExactBench
{
    public static void Run(string vectorsPath, int queries)
    {
        var words = WordVectors.Load(vectorsPath);
        int dim = words.Dim, n = words.Count;
        var unit = DotProduct.Normalized(words.Data, dim);
        var (noisy, _) = QuerySets.Noisy(QuerySets.Rows(unit, dim, QuerySets.Sample(n, queries, seed: 2)), dim, 0.6, seed: 3);
        int m = noisy.Length / dim;
        var exact = new ExactIndex(unit, dim);
        Console.WriteLine($"exact-bench: {n} × {dim} vectors, {m} queries, one thread, best of 3");
        foreach (int k in new[] { 1, 10 })
        {
            double blocked = BestOf3(() => exact.SearchBatch(noisy, k, threads: 1));
            double pairwise = BestOf3(() => PairwiseScan(unit, dim, noisy, k));
            var a = exact.SearchBatch(noisy, k, threads: 1);
            var b = PairwiseScan(unit, dim, noisy, k);
            int same = Enumerable.Range(0, m).Count(i => a[i].Select(h => h.Id).SequenceEqual(b[i].Select(h => h.Id)));
            Console.WriteLine($"exact-bench: k={k,-3} blocked {m / blocked,8:F0} q/s, pairwise {m / pairwise,8:F0} q/s, "
                              + $"ratio {pairwise / blocked:F2}x; same ids {same}/{m}");
        }
    }

    private static double BestOf3(Action run)
    {
        double best = double.MaxValue;
        for (int rep = 0; rep < 3; rep++)
        {
            var clock = Stopwatch.StartNew();
            run();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }

    /// <summary>The previous ExactIndex scan: 16 queries against 1,024-row blocks, one SIMD dot per pair, a heap per query.</summary>
    private static Neighbor[][] PairwiseScan(float[] unitRows, int dim, float[] queries, int k)
    {
        int count = unitRows.Length / dim, n = queries.Length / dim;
        var q = DotProduct.Normalized(queries, dim);
        var results = new Neighbor[n][];
        fixed (float* rows = unitRows, q0 = q)
        {
            for (int first = 0; first < n; first += 16)
            {
                int size = Math.Min(16, n - first);
                var heaps = Enumerable.Range(0, size).Select(_ => NodeHeap.Farthest(k + 1)).ToArray();
                for (int r0 = 0; r0 < count; r0 += 1024)
                {
                    int r1 = Math.Min(count, r0 + 1024);
                    for (int j = 0; j < size; j++)
                    {
                        float* query = q0 + (long)(first + j) * dim;
                        var heap = heaps[j];
                        for (int r = r0; r < r1; r++)
                        {
                            float d = -Simd.Dot(query, rows + (long)r * dim, dim);
                            if (heap.Count < k) heap.Push(d, r);
                            else if (Candidate.Closer(new Candidate(d, r), heap.Top)) { heap.Pop(); heap.Push(d, r); }
                        }
                    }
                }
                for (int j = 0; j < size; j++)
                {
                    var hits = new Neighbor[heaps[j].Count];
                    for (int i = hits.Length - 1; i >= 0; i--) { var c = heaps[j].Pop(); hits[i] = new Neighbor(c.Id, -c.Distance); }
                    results[first + j] = hits;
                }
            }
        }
        return results;
    }
}
