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
