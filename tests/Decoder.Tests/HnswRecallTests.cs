using VecLm.Embeddings;
namespace VecLm.Decoder.Tests;

public sealed class HnswRecallTests(RandomIndexFixture data) : IClassFixture<RandomIndexFixture>
{
    [Fact]
    public void Recall_at_10_against_exact_search_is_at_least_095()
    {
        var queries = TestData.RandomVectors(500, RandomIndexFixture.Dim, seed: 99);
        var exact = data.Exact.SearchBatch(queries, 10);
        var approximate = data.Hnsw.SearchBatch(queries, 10, ef: 100);
        double recall = TestData.Recall(approximate, exact);
        Assert.True(recall >= 0.95, $"recall@10 = {recall:F3}");
    }

    [Fact]
    public void Recall_grows_with_ef()
    {
        var queries = TestData.RandomVectors(300, RandomIndexFixture.Dim, seed: 5);
        var exact = data.Exact.SearchBatch(queries, 10);
        double low = TestData.Recall(data.Hnsw.SearchBatch(queries, 10, ef: 10), exact);
        double high = TestData.Recall(data.Hnsw.SearchBatch(queries, 10, ef: 200), exact);
        Assert.True(high > low, $"ef=10: {low:F3}, ef=200: {high:F3}");
        Assert.True(high >= 0.98, $"ef=200: {high:F3}");
    }

    [Fact]
    public void Every_stored_vector_finds_itself_first()
    {
        var misses = new List<int>();
        var hits = data.Hnsw.SearchBatch(data.Vectors, 1, ef: 64);
        for (int i = 0; i < hits.Length; i++)
            if (hits[i][0].Id != i) misses.Add(i);
        Assert.Empty(misses);
        Assert.All(hits, h => Assert.Equal(1f, h[0].Cosine, 1e-4f));
    }

    [Fact]
    public void Results_are_sorted_by_similarity_and_match_exact_cosines()
    {
        var query = TestData.RandomVectors(1, RandomIndexFixture.Dim, seed: 3);
        var hits = data.Hnsw.Search(query, 10, ef: 200);
        var exact = data.Exact.Search(query, 10);
        Assert.Equal(10, hits.Length);
        for (int i = 1; i < hits.Length; i++) Assert.True(hits[i - 1].Cosine >= hits[i].Cosine);
        Assert.Equal(exact[0].Id, hits[0].Id);
        Assert.Equal(exact[0].Cosine, hits[0].Cosine, 1e-5f);
    }

    [Fact]
    public void Builds_with_one_thread_are_reproducible_for_a_seed()
    {
        var vectors = TestData.RandomVectors(800, 16, seed: 1);
        var options = new HnswOptions(M: 8, EfConstruction: 50, Seed: 3, Threads: 1);
        var a = HnswIndex.Build(vectors, 16, options);
        var b = HnswIndex.Build(vectors, 16, options);
        Assert.Equal(a.Levels, b.Levels);
        Assert.Equal(a.Links0Data, b.Links0Data);
        Assert.Equal(a.UpperData, b.UpperData);
        var c = HnswIndex.Build(vectors, 16, options with { Seed = 4 });
        Assert.NotEqual(a.Levels, c.Levels);
    }

    [Fact]
    public void A_search_entered_at_a_seed_near_the_query_finds_what_the_descent_alone_misses()
    {
        // At ef 1 the layer-0 search stops at the first local minimum: random 64-dim queries often end short of their
        // nearest vector. Seeded with it (or with a neighbour of it), the search keeps it.
        var queries = TestData.RandomVectors(300, RandomIndexFixture.Dim, seed: 17);
        var exact = data.Exact.SearchBatch(queries, 2);
        int plain = 0, seeded = 0, nearSeeded = 0;
        for (int i = 0; i < exact.Length; i++)
        {
            var q = queries.AsSpan(i * RandomIndexFixture.Dim, RandomIndexFixture.Dim);
            if (data.Hnsw.Search(q, 1, ef: 1)[0].Id == exact[i][0].Id) plain++;
            if (data.Hnsw.Search(q, 1, ef: 1, [exact[i][0].Id])[0].Id == exact[i][0].Id) seeded++;
            if (data.Hnsw.Search(q, 1, ef: 4, [exact[i][1].Id, 17, 4000])[0].Id == exact[i][0].Id) nearSeeded++;
        }
        Assert.Equal(exact.Length, seeded);
        Assert.True(plain < 0.9 * exact.Length && nearSeeded > plain,
                    $"ef 1: {plain} of {exact.Length} unseeded; ef 4 from the second nearest: {nearSeeded}");
        Assert.Contains("seed 5000 is not in 0..4999",
                        Assert.Throws<ArgumentException>(() => data.Hnsw.Search(queries.AsSpan(0, 64), 1, 10, [5000])).Message);
        // An exact index has no use for seeds: the same answer.
        Assert.Equal(data.Exact.Search(queries.AsSpan(0, 64), 5), ((IVectorIndex)data.Exact).Search(queries.AsSpan(0, 64), 5, [3]));
    }

    [Fact]
    public void Tiny_indexes_work()
    {
        var one = HnswIndex.Build(new float[] { 1, 0 }, 2, new HnswOptions());
        Assert.Equal(0, Assert.Single(one.Search(new float[] { 0, 1 }, 5)).Id);
        var empty = HnswIndex.Build(ReadOnlySpan<float>.Empty, 2, new HnswOptions());
        Assert.Empty(empty.Search(new float[] { 0, 1 }, 5));
        Assert.Throws<ArgumentException>(() => one.Search(new float[] { 1, 0, 0 }, 1));
        Assert.Throws<BadInputException>(() => HnswIndex.Build(new float[4], 2, new HnswOptions(M: 1)));
    }

    [Fact]
    public void The_search_loops_compiled_ahead_are_found_and_compile()
    {
        var loops = HnswIndex<CosineDistance>.SearchLoops();
        Assert.Equal(["GreedyClosest", "SearchLayer"], loops.Select(m => m.Name).Order());
        foreach (var m in loops)
            System.Runtime.CompilerServices.RuntimeHelpers.PrepareMethod(m.MethodHandle, [typeof(CosineDistance).TypeHandle]);
    }

    [Fact]
    public void The_background_warm_up_search_answers_its_two_node_index()
    {
        var hits = HnswIndex<CosineDistance>.WarmUp();   // run on a pool thread with errors swallowed: checked here
        Assert.Equal([1, 0], hits.Select(h => h.Id));
        Assert.Equal(1f, hits[0].Cosine, 6);
        Assert.Equal(0f, hits[1].Cosine, 6);
    }
}
