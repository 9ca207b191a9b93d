using VecLm.Embeddings;
namespace VecLm.Decoder.Tests;

/// <summary>
/// The search against Algorithm 2 of the paper written out plainly here (two priority queues, a visited set, each
/// neighbour scored in list order) on the same graph: the fast loop (its unvisited neighbours gathered first, its
/// prefetches, its packed keys) must score the same nodes and answer the same keys, ties included.
/// </summary>
public sealed unsafe class HnswSearchReferenceTests(RandomIndexFixture data) : IClassFixture<RandomIndexFixture>
{
    [Theory]
    [InlineData(10)]
    [InlineData(64)]
    [InlineData(200)]
    public void Searches_answer_what_the_plain_algorithm_answers(int ef)
    {
        var index = data.Hnsw;
        int dim = RandomIndexFixture.Dim;
        var queries = TestData.RandomVectors(200, dim, seed: 31);
        var found = index.SearchBatch(queries, 10, ef, threads: 1);
        for (int i = 0; i < found.Length; i++)
        {
            var expected = Reference(index, queries.AsSpan(i * dim, dim), 10, ef);
            Assert.Equal(expected, found[i].Select(h => h.Id));
        }
    }

    private static int[] Reference(HnswIndex<CosineDistance> index, ReadOnlySpan<float> query, int k, int ef)
    {
        var q = query.ToArray();
        VectorMath.Normalize(q);
        float Distance(int id)
        {
            fixed (float* qp = q)
            fixed (float* v = index.Vector(id)) return CosineDistance.Distance(qp, v, index.Dim);
        }
        int node = index.EntryPoint;
        float dist = Distance(node);
        for (int level = index.MaxLevel; level > 0; level--)
            for (bool changed = true; changed;)
            {
                changed = false;
                var list = index.LinkList(node, level);
                foreach (int e in list.Slice(1, list[0]))
                {
                    float d = Distance(e);
                    if (d < dist || (d == dist && e < node)) (dist, node, changed) = (d, e, true);
                }
            }
        var visited = new HashSet<int> { node };
        var candidates = new PriorityQueue<ulong, ulong>();
        var results = new PriorityQueue<ulong, ulong>(Comparer<ulong>.Create((a, b) => b.CompareTo(a)));
        ulong start = CandidateKey.Of(dist, node);
        candidates.Enqueue(start, start);
        results.Enqueue(start, start);
        while (candidates.TryDequeue(out ulong c, out _))
        {
            if (results.Count >= ef && c > results.Peek()) break;
            var list = index.LinkList((int)(uint)c, 0);
            foreach (int e in list.Slice(1, list[0]))
            {
                if (!visited.Add(e)) continue;
                ulong key = CandidateKey.Of(Distance(e), e);
                if (results.Count >= ef && key >= results.Peek()) continue;
                results.Enqueue(key, key);
                if (results.Count > ef) results.Dequeue();
                candidates.Enqueue(key, key);
            }
        }
        var keys = new List<ulong>();
        while (results.TryDequeue(out ulong key, out _)) keys.Add(key);
        keys.Reverse();
        return [.. keys.Take(k).Select(key => (int)(uint)key)];
    }
}
