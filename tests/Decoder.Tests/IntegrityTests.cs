namespace VecLm.Decoder.Tests;

public sealed class IntegrityTests(RandomIndexFixture data) : IClassFixture<RandomIndexFixture>
{
    [Fact]
    public void A_multi_threaded_build_passes_the_integrity_check() => data.Hnsw.CheckIntegrity();

    [Fact]
    public void A_single_threaded_build_passes_the_integrity_check()
    {
        var index = HnswIndex.Build(TestData.RandomVectors(2000, 32, seed: 5), 32, new HnswOptions(M: 8, EfConstruction: 100));
        index.CheckIntegrity();
        Assert.True(index.MaxLevel >= 1);
    }

    private static HnswIndex<CosineDistance> Small() =>
        HnswIndex.Build(TestData.RandomVectors(300, 8, seed: 6), 8, new HnswOptions(M: 4, EfConstruction: 30));

    [Fact]
    public void A_self_link_fails_it()
    {
        var index = Small();
        index.LinkList(10, 0)[1] = 10;
        Assert.Contains("itself", Assert.Throws<InvalidDataException>(index.CheckIntegrity).Message);
    }

    [Fact]
    public void A_duplicate_link_fails_it()
    {
        var index = Small();
        var list = index.LinkList(20, 0);
        list[2] = list[1];
        Assert.Contains("twice", Assert.Throws<InvalidDataException>(index.CheckIntegrity).Message);
    }

    [Fact]
    public void Too_many_links_fail_it()
    {
        var index = Small();
        index.LinkList(30, 0)[0] = index.MaxM0 + 1;
        Assert.Contains("limit", Assert.Throws<InvalidDataException>(index.CheckIntegrity).Message);
    }

    [Fact]
    public void An_unreachable_node_fails_it()
    {
        var index = Small();
        int victim = Enumerable.Range(0, index.Count).First(n => index.LevelOf(n) == 0 && n != index.EntryPoint);
        for (int node = 0; node < index.Count; node++)
        {
            var list = index.LinkList(node, 0);
            var kept = list[1..(list[0] + 1)].ToArray().Where(e => e != victim).ToArray();
            kept.CopyTo(list[1..]);
            list[0] = kept.Length;
        }
        Assert.Contains("unreachable", Assert.Throws<InvalidDataException>(index.CheckIntegrity).Message);
    }
}
