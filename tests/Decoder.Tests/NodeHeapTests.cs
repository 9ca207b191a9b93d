namespace VecLm.Decoder.Tests;

public sealed class NodeHeapTests
{
    [Fact]
    public void Nearest_heap_pops_by_distance_then_id_and_farthest_the_reverse()
    {
        var random = new Random(4);
        var items = Enumerable.Range(0, 300).Select(i => new Candidate(random.Next(20) / 4f, i)).ToList();
        var nearest = NodeHeap.Nearest(4);
        var farthest = NodeHeap.Farthest(4);
        foreach (var c in items) { nearest.Push(c.Distance, c.Id); farthest.Push(c.Distance, c.Id); }
        var ascending = items.OrderBy(c => c.Distance).ThenBy(c => c.Id).ToList();
        Assert.Equal(ascending, Enumerable.Range(0, 300).Select(_ => nearest.Pop()));
        ascending.Reverse();
        Assert.Equal(ascending, Enumerable.Range(0, 300).Select(_ => farthest.Pop()));
        Assert.Equal(0, nearest.Count);
    }

    [Fact]
    public void Candidate_keys_order_as_Closer_does_and_give_back_the_candidate()
    {
        var random = new Random(5);
        float[] special = [0f, -0f, 1f, 2f, -1e-7f, 1e-7f, -2f, float.Epsilon, -float.Epsilon, 0.5f, 0.5f];
        var items = special.Select((d, i) => new Candidate(d, i % 3))
            .Concat(Enumerable.Range(0, 2000).Select(i => new Candidate((float)(random.NextDouble() * 4 - 2), random.Next(50))))
            .Concat(Enumerable.Range(0, 200).Select(i => new Candidate(random.Next(-3, 4) / 2f, random.Next(int.MaxValue))))
            .ToArray();
        foreach (var a in items)
        {
            var back = CandidateKey.ToCandidate(CandidateKey.Of(a.Distance, a.Id));
            Assert.Equal(a.Id, back.Id);
            Assert.Equal(a.Distance == 0 ? 0 : BitConverter.SingleToInt32Bits(a.Distance), BitConverter.SingleToInt32Bits(back.Distance));
        }
        for (int i = 0; i < items.Length; i++)
            for (int j = i < special.Length ? 0 : i % 7; j < items.Length; j += i < special.Length ? 1 : 7)
            {
                var (a, b) = (items[i], items[j]);
                Assert.Equal(Candidate.Closer(a, b), CandidateKey.Of(a.Distance, a.Id) < CandidateKey.Of(b.Distance, b.Id));
            }
    }

    [Fact]
    public void Replacing_the_top_keeps_the_nearest_ef_as_push_then_pop_did()
    {
        var random = new Random(6);
        const int ef = 9;
        var replaced = NodeHeap.Farthest(ef);
        var popped = NodeHeap.Farthest(ef + 1);
        for (int i = 0; i < 500; i++)
        {
            ulong key = CandidateKey.Of(random.Next(40) / 8f, i);
            if (replaced.Count < ef) replaced.Push(key);
            else if (key < replaced.TopKey) replaced.ReplaceTop(key);
            popped.Push(key);
            if (popped.Count > ef) popped.Pop();
            Assert.Equal(popped.TopKey, replaced.TopKey);
        }
        var keys = new ulong[ef];
        Assert.Equal(ef, replaced.DrainNearestFirst(keys));
        Assert.Equal(0, replaced.Count);
        var expected = Enumerable.Range(0, ef).Select(_ => popped.PopKey()).Reverse().ToArray();
        Assert.Equal(expected, keys);
    }

    [Fact]
    public void Visited_list_forgets_marks_on_reset_even_across_epoch_wraparound()
    {
        var visited = new VisitedList(10);
        for (int round = 0; round < 70_000; round++)
        {
            visited.Reset();
            Assert.True(visited.TryVisit(round % 10));
            Assert.False(visited.TryVisit(round % 10));
        }
    }
}
