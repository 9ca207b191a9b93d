namespace VecLm.Embeddings.Tests;

public class HotRowsTests
{
    /// <summary>Two threads' private copies of a row: each one's change reaches the shared row once, neither is lost.</summary>
    [Fact]
    public void MergingAddsEveryThreadsChangeOnceAndTakesTheSharedRow()
    {
        var shared = new float[] { 1, 2, 3, 4, 10, 20, 30, 40 };   // two rows of 4
        var a = new HotRows(shared, 4, [1]);
        var b = new HotRows(shared, 4, [1]);
        a.Slot(0)[0] += 0.5f;
        b.Slot(0)[0] += 0.25f;
        b.Slot(0)[3] -= 1f;
        a.Merge();
        Assert.Equal([10.5f, 20, 30, 40], shared[4..]);
        Assert.Equal([10.5f, 20, 30, 40], a.Slot(0).ToArray());
        b.Merge();
        Assert.Equal([10.75f, 20, 30, 39], shared[4..]);
        a.Merge();                                   // nothing new from a: it only takes b's change
        Assert.Equal([10.75f, 20, 30, 39], shared[4..]);
        Assert.Equal([10.75f, 20, 30, 39], a.Slot(0).ToArray());
        Assert.Equal([1f, 2, 3, 4], shared[..4]);     // a row nobody copied is untouched
    }

    [Fact]
    public void ASubwordModelsHotRowsAreTheDistinctRowsOfItsMostFrequentWords()
    {
        int[][] rows = [[0, 5, 6], [1, 6, 7], [2, 8]];
        var (slots, encoded) = HotRows.SubwordRows(rows, 2);
        Assert.Equal([0, 5, 6, 1, 7], slots);
        Assert.Equal([~0, ~1, ~2], encoded[0]);
        Assert.Equal([~3, ~2, ~4], encoded[1]);
        Assert.Equal([2, 8], encoded[2]);            // a rarer word's own rows stay shared
    }
}
