using VecLm.Embeddings;

namespace VecLm.Decoder.Tests;

public sealed class ConcurrencyTests(RandomIndexFixture data) : IClassFixture<RandomIndexFixture>
{
    [Fact]
    public void Concurrent_queries_give_the_same_answers_as_sequential_ones()
    {
        var queries = TestData.RandomVectors(400, RandomIndexFixture.Dim, seed: 77);
        int dim = RandomIndexFixture.Dim;
        var sequential = new Neighbor[400][];
        for (int i = 0; i < 400; i++) sequential[i] = data.Hnsw.Search(queries.AsSpan(i * dim, dim), 10, ef: 50);
        var concurrent = new Neighbor[400][];
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            for (int round = 0; round < 3; round++)
                for (int i = t; i < 400; i += 4)
                {
                    var hits = data.Hnsw.Search(queries.AsSpan(i * dim, dim), 10, ef: 50);
                    if (round == 0) concurrent[i] = hits;
                    else Assert.Equal(concurrent[i], hits);
                }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        for (int i = 0; i < 400; i++) Assert.Equal(sequential[i], concurrent[i]);
        var batch = data.Hnsw.SearchBatch(queries, 10, ef: 50, threads: 4);
        for (int i = 0; i < 400; i++) Assert.Equal(sequential[i], batch[i]);
    }

    /// <summary>
    /// SearchBatch called from eight threads at once (each batch itself parallel), on a saved and reloaded index and
    /// on a second copy loaded from the same file, as several readers would: every answer is the sequential one.
    /// </summary>
    [Fact]
    public void Concurrent_SearchBatch_calls_on_loaded_indexes_match_sequential_search()
    {
        int dim = RandomIndexFixture.Dim;
        var queries = TestData.RandomVectors(300, dim, seed: 78);
        var sequential = Enumerable.Range(0, 300).Select(i => data.Hnsw.Search(queries.AsSpan(i * dim, dim), 10, ef: 40)).ToArray();
        string dir = Directory.CreateTempSubdirectory("veclm-concurrent-").FullName;
        try
        {
            string path = Path.Combine(dir, "v.hnsw");
            data.Hnsw.Save(path);
            var loaded = new[] { HnswIndex.Load(path, data.Vectors, dim), HnswIndex.Load(path, data.Vectors, dim) };
            using var start = new Barrier(8);
            var results = new Neighbor[8][][];
            var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
            {
                start.SignalAndWait();
                for (int round = 0; round < 2; round++)
                    results[t] = loaded[t % 2].SearchBatch(queries, 10, ef: 40, threads: 1 + t % 3);
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            foreach (var batch in results)
                for (int i = 0; i < 300; i++) Assert.Equal(sequential[i], batch[i]);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Exact_batches_match_single_queries_and_a_naive_scan()
    {
        int dim = RandomIndexFixture.Dim;
        var queries = TestData.RandomVectors(37, dim, seed: 12);
        var batch = data.Exact.SearchBatch(queries, 5, threads: 2);
        var unit = DotProduct.Normalized(data.Vectors, dim);
        for (int i = 0; i < 37; i++)
        {
            var q = DotProduct.Normalized(queries.AsSpan(i * dim, dim), dim);
            var naive = Enumerable.Range(0, RandomIndexFixture.Count)
                .Select(id => (id, sim: Simd.Dot(q, unit.AsSpan(id * dim, dim))))
                .OrderByDescending(x => x.sim).ThenBy(x => x.id).Take(5).Select(x => x.id);
            Assert.Equal(naive, batch[i].Select(n => n.Id));
            Assert.Equal(batch[i], data.Exact.Search(queries.AsSpan(i * dim, dim), 5));
        }
    }

    [Fact]
    public void Exact_ties_are_broken_by_smaller_id()
    {
        var exact = new ExactIndex(new float[] { 1, 0, 0, 1, 2, 0, 0, 3 }, 2);
        Assert.Equal(new[] { 0, 2, 1, 3 }, exact.Search(new float[] { 1, 0 }, 4).Select(n => n.Id));
        var hnsw = HnswIndex.Build(new float[] { 1, 0, 0, 1, 2, 0, 0, 3 }, 2, new HnswOptions());
        Assert.Equal(new[] { 0, 2 }, hnsw.Search(new float[] { 1, 0 }, 2).Select(n => n.Id));
    }
}
