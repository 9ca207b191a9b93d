namespace VecLm.Embeddings.Tests;

public class HotOutputRowsTests
{
    /// <summary>Two threads' copies of the hot rows: each one's change reaches the shared matrix once, none is lost.</summary>
    [Fact]
    public unsafe void MergingAddsEveryThreadsChangeOnceAndTakesTheSharedRows()
    {
        var shared = GC.AllocateArray<float>(12, pinned: true);   // three rows of 4
        for (int i = 0; i < 12; i++) shared[i] = i;
        var a = new HotOutputRows(shared, 4, 2);
        var b = new HotOutputRows(shared, 4, 2);
        a.Row(1)[0] += 0.5f;
        b.Row(1)[0] += 0.25f;
        b.Row(0)[3] -= 1f;
        a.Row(2)[1] += 10f;                                       // a cold row: written in place, seen by every thread
        Assert.Equal(19f, b.Row(2)[1]);
        Assert.Equal(4f, shared[4]);                              // hot rows: not before a merge
        a.Merge();
        Assert.Equal(4.5f, shared[4]);
        b.Merge();
        Assert.Equal(4.75f, shared[4]);
        Assert.Equal(2f, shared[3]);
        Assert.Equal(4.75f, b.Row(1)[0]);
        Assert.Equal(4.5f, a.Row(1)[0]);                          // a has not merged since b did
        a.Merge();                                                // nothing new from a: it only takes b's change
        Assert.Equal(4.75f, shared[4]);
        Assert.Equal(4.75f, a.Row(1)[0]);
        Assert.Equal(2f, a.Row(0)[3]);
    }

    /// <summary>Threads that merge while others merge: every step arrives.</summary>
    [Fact]
    public unsafe void ConcurrentMergesLoseNoStep()
    {
        const int Threads = 4, Rounds = 200, Rows = 300, Dim = 8;
        var shared = GC.AllocateArray<float>(Rows * Dim, pinned: true);
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            var mine = new HotOutputRows(shared, Dim, Rows);
            for (int r = 0; r < Rounds; r++)
            {
                for (int row = t; row < Rows; row += 7) mine.Row(row)[t] += 1f;
                mine.Merge();
            }
        });
        for (int row = 0; row < Rows; row++)
            for (int d = 0; d < Dim; d++)
                Assert.Equal(d < Threads && row % 7 == d ? Rounds : 0, shared[row * Dim + d]);
    }
}
