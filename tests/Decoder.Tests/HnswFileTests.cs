namespace VecLm.Decoder.Tests;

public sealed class HnswFileTests : IDisposable
{
    private const int Dim = 16;
    private readonly string _dir = Directory.CreateTempSubdirectory("veclm-hnsw-").FullName;
    private readonly float[] _vectors = TestData.RandomVectors(1500, Dim, seed: 21);
    private readonly HnswIndex<CosineDistance> _index;
    private readonly string _path;

    public HnswFileTests()
    {
        _index = HnswIndex.Build(_vectors, Dim, new HnswOptions(M: 8, EfConstruction: 64, Seed: 9));
        _path = Path.Combine(_dir, "v.hnsw");
        _index.Save(_path);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Save_then_load_gives_identical_results()
    {
        var loaded = HnswIndex.Load(_path, _vectors, Dim);
        Assert.Equal(_index.EntryPoint, loaded.EntryPoint);
        Assert.Equal(_index.MaxLevel, loaded.MaxLevel);
        var queries = TestData.RandomVectors(200, Dim, seed: 8);
        var before = _index.SearchBatch(queries, 10, ef: 40);
        var after = loaded.SearchBatch(queries, 10, ef: 40);
        for (int i = 0; i < before.Length; i++) Assert.Equal(before[i], after[i]);
        loaded.CheckIntegrity();
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void Other_vectors_are_rejected()
    {
        var other = (float[])_vectors.Clone();
        other[100] += 0.5f;
        var e = Assert.Throws<InvalidDataException>(() => HnswIndex.Load(_path, other, Dim));
        Assert.Contains("other vectors", e.Message);
    }

    [Fact]
    public void Another_dimension_or_count_is_rejected()
    {
        var e = Assert.Throws<InvalidDataException>(() => HnswIndex.Load(_path, _vectors, 8));
        Assert.Contains("dimension", e.Message);
        Assert.Throws<InvalidDataException>(() => HnswIndex.Load(_path, _vectors.AsSpan(0, 1400 * Dim), Dim));
    }

    [Fact]
    public void A_corrupt_body_is_rejected()
    {
        var bytes = File.ReadAllBytes(_path);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(_path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => HnswIndex.Load(_path, _vectors, Dim));
        Assert.Contains("corrupt", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void A_truncated_file_is_rejected()
    {
        var bytes = File.ReadAllBytes(_path);
        foreach (int length in new[] { bytes.Length - 1, bytes.Length / 2, 30, 0 })
        {
            File.WriteAllBytes(_path, bytes[..length]);
            var e = Assert.Throws<InvalidDataException>(() => HnswIndex.Load(_path, _vectors, Dim));
            Assert.Contains("truncated", e.Message);
        }
    }

    [Fact]
    public void Other_files_and_missing_files_are_rejected()
    {
        File.WriteAllText(_path, new string('x', 500));
        Assert.Contains("not a veclm HNSW index",
                        Assert.Throws<InvalidDataException>(() => HnswIndex.Load(_path, _vectors, Dim)).Message);
        Assert.Throws<FileNotFoundException>(() => HnswIndex.Load(Path.Combine(_dir, "none"), _vectors, Dim));
    }
}
