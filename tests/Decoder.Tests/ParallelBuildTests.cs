namespace VecLm.Decoder.Tests;

/// <summary>
/// Parallel builds against sequential ones where insertions collide: 4,000 vectors, inserted cluster after cluster
/// (threads insert near neighbours at the same moment) or with every third vector a copy of the one before (the two
/// are inserted at once), by 2 and 4 threads (started even on fewer cores), for several level seeds.
/// </summary>
public sealed class ParallelBuildTests(ParallelBuildFixture builds) : IClassFixture<ParallelBuildFixture>
{
    public static TheoryData<string> DataSets => [.. ParallelBuildFixture.Names];

    [Theory, MemberData(nameof(DataSets))]
    public void Parallel_builds_reach_every_node_on_every_layer(string name)
    {
        var set = builds[name];
        foreach (var (seed, sequential) in set.Sequential)
            Assert.True(ParallelBuildFixture.Unreached(sequential).Count == 0,
                        $"{name}, seed {seed}: the sequential build already misses nodes, so the data test HNSW, not its locks");
        foreach (var (seed, threads, index) in set.Parallel)
        {
            index.CheckIntegrity();
            var unreached = ParallelBuildFixture.Unreached(index);
            Assert.True(unreached.Count == 0,
                        $"{name}, seed {seed}, {threads} threads: unreachable (layer: node) "
                        + string.Join(", ", unreached.Take(8).Select(u => $"{u.Level}: {u.Node}")));
        }
    }

    [Theory, MemberData(nameof(DataSets))]
    public void Parallel_builds_match_the_sequential_recall(string name)
    {
        var set = builds[name];
        var exact = new ExactIndex(set.Vectors, ParallelBuildFixture.Dim).SearchBatch(set.Queries, 10, threads: 1);
        double Recall(HnswIndex<CosineDistance> index) =>
            TestData.Recall(index.SearchBatch(set.Queries, 10, ef: ParallelBuildFixture.Ef, threads: 1), exact);
        double sequential = set.Sequential.Average(s => Recall(s.Index));
        foreach (int threads in ParallelBuildFixture.Threads)
        {
            double parallel = set.Parallel.Where(p => p.Threads == threads).Average(p => Recall(p.Index));
            Assert.True(parallel >= sequential - 0.01,
                        $"{name}, {threads} threads: recall@10 {parallel:F4}, sequential {sequential:F4} (ef {ParallelBuildFixture.Ef})");
        }
        Assert.InRange(sequential, 0.8, 0.995);   // an ef at which a worse graph would show
    }

    [Fact]
    public void A_parallel_build_answers_batches_from_many_threads_like_single_searches()
    {
        var set = builds["duplicates"];
        var index = set.Parallel.First(p => p.Threads == 4).Index;
        int dim = ParallelBuildFixture.Dim, n = set.Queries.Length / dim;
        var batch = index.SearchBatch(set.Queries, 10, ef: 20, threads: 4);
        for (int i = 0; i < n; i++) Assert.Equal(index.Search(set.Queries.AsSpan(i * dim, dim), 10, ef: 20), batch[i]);
    }
}

/// <summary>The parallel-build test data and, per data set, a sequential and a 2- and 4-thread build for each seed.</summary>
public sealed class ParallelBuildFixture
{
    public const int Dim = 16, Count = 4000, M = 8, EfConstruction = 40, Ef = 12;
    public static readonly string[] Names = ["clusters", "duplicates"];
    public static readonly int[] Seeds = [1, 2, 3, 4], Threads = [2, 4];

    public sealed record DataSet(float[] Vectors, float[] Queries,
                                 List<(int Seed, HnswIndex<CosineDistance> Index)> Sequential,
                                 List<(int Seed, int Threads, HnswIndex<CosineDistance> Index)> Parallel);

    private readonly Dictionary<string, DataSet> _sets = [];

    public ParallelBuildFixture()
    {
        foreach (string name in Names)
        {
            var vectors = name == "clusters"
                ? TestData.ClusteredVectors(80, Count / 80, Dim, spread: 0.6, seed: 1)
                : TestData.WithCopies(TestData.RandomVectors(Count, Dim, seed: 1), Dim, every: 3);
            var ids = Enumerable.Range(0, 300).Select(i => i * 13 % Count).ToArray();
            var queries = TestData.NoisyRows(vectors, Dim, ids, sigma: 0.15, seed: 2);
            var set = new DataSet(vectors, queries, [], []);
            foreach (int seed in Seeds)
            {
                set.Sequential.Add((seed, Build(vectors, seed, 1)));
                foreach (int threads in Threads) set.Parallel.Add((seed, threads, Build(vectors, seed, threads)));
            }
            _sets[name] = set;
        }
    }

    public DataSet this[string name] => _sets[name];

    private static HnswIndex<CosineDistance> Build(float[] vectors, int seed, int threads) =>
        HnswIndex.Build(vectors, Dim, new HnswOptions(M, EfConstruction, seed, threads));

    /// <summary>The nodes a breadth-first walk from the entry point misses, on each layer they are on.</summary>
    public static List<(int Level, int Node)> Unreached(HnswIndex<CosineDistance> index)
    {
        var missed = new List<(int, int)>();
        for (int level = 0; level <= index.MaxLevel; level++)
        {
            var reached = new bool[index.Count];
            var queue = new Queue<int>([index.EntryPoint]);
            reached[index.EntryPoint] = true;
            while (queue.Count > 0)
            {
                var list = index.LinkList(queue.Dequeue(), level);
                foreach (int e in list[1..(list[0] + 1)])
                    if (!reached[e]) { reached[e] = true; queue.Enqueue(e); }
            }
            for (int node = 0; node < index.Count; node++)
                if (index.LevelOf(node) >= level && !reached[node]) missed.Add((level, node));
        }
        return missed;
    }
}
