namespace VecLm.Decoder.Tests;

public sealed class ParallelRowsTests
{
    [Theory]
    [InlineData(0, 2)]
    [InlineData(1, 4)]
    [InlineData(15, 2)]
    [InlineData(16, 2)]
    [InlineData(17, 2)]
    [InlineData(1000, 3)]
    [InlineData(1000, -1)]
    [InlineData(1000, 1)]
    public void EveryRowRunsExactlyOnce(int rows, int threads)
    {
        var runs = new int[rows];
        ParallelRows.For(rows, threads, i => Interlocked.Increment(ref runs[i]));
        Assert.All(runs, r => Assert.Equal(1, r));
    }

    [Fact]
    public void SeveralThreadsReallyRunRows()
    {
        // Each row waits until another thread has started one: with one thread this would never end.
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
        using var both = new CountdownEvent(2);
        var task = Task.Run(() => ParallelRows.For(64, 2, i =>
        {
            if (seen.TryAdd(Environment.CurrentManagedThreadId, true)) both.Signal();
            both.Wait();
        }, chunk: 1));
        Assert.True(task.Wait(TimeSpan.FromSeconds(30)), "the two threads never ran rows at the same time");
        Assert.Equal(2, seen.Count);
    }

    [Fact]
    public void AnExceptionInARowReachesTheCallerAndStopsTheOthers()
    {
        int ran = 0;
        var error = Assert.Throws<InvalidOperationException>(() => ParallelRows.For(100_000, 2, i =>
        {
            Interlocked.Increment(ref ran);
            if (i == 40) throw new InvalidOperationException("row 40");
        }));
        Assert.Equal("row 40", error.Message);
        Assert.True(ran < 100_000, $"all {ran} rows ran after the failure");
    }
}
