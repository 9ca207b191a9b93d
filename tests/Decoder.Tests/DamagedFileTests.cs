using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using VecLm.Tests.Shared;

namespace VecLm.Decoder.Tests;

/// <summary>
/// Damaged index files and query files: each kind of damage by hand, then a seeded fuzzer. Every damaged file either
/// loads into something usable or is an <see cref="InvalidDataException"/> with a one-line message naming the file:
/// never another exception, an allocation the file cannot justify, a crash in the unsafe search, or a hang.
/// </summary>
public sealed class DamagedFileTests : IDisposable
{
    private const int Dim = 8, Count = 300;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);
    private readonly string _dir = Directory.CreateTempSubdirectory("veclm-damaged-").FullName;
    private readonly float[] _vectors = TestData.RandomVectors(Count, Dim, seed: 31);
    private readonly float[] _queries = TestData.RandomVectors(20, Dim, seed: 32);
    private readonly string _index;
    private readonly byte[] _good;

    public DamagedFileTests()
    {
        _index = Path.Combine(_dir, "v.hnsw");
        HnswIndex.Build(_vectors, Dim, new HnswOptions(M: 6, EfConstruction: 40, Seed: 3)).Save(_index);
        _good = File.ReadAllBytes(_index);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Recomputes the file checksum (XXH3 over every byte but the header's last eight), as a deliberate writer would.</summary>
    private static byte[] Sealed(byte[] file)
    {
        if (file.Length < HnswFile.HeaderSize) return file;
        var hash = new XxHash3();
        hash.Append(file.AsSpan(0, HnswFile.ChecksumOffset));
        hash.Append(file.AsSpan(HnswFile.HeaderSize));
        var bytes = (byte[])file.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(HnswFile.ChecksumOffset), hash.GetCurrentHashAsUInt64());
        return bytes;
    }

    /// <summary>The header with the int at field <paramref name="field"/> (count, dim, M, efC, seed, entry, top layer) set.</summary>
    private byte[] WithField(int field, int value)
    {
        var bytes = (byte[])_good.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(28 + 4 * field), value);
        return bytes;
    }

    private bool LoadIndex(string name) => Damage.Check(name, () => HnswIndex.Load(_index, _vectors, Dim), index =>
    {
        var hits = index.SearchBatch(_queries, 5, ef: 20, threads: 1);
        Assert.All(hits, h => Assert.All(h, n => Assert.InRange(n.Id, 0, Count - 1)));
    }, Limit, typeof(InvalidDataException));

    private void IndexRejected(byte[] bytes, string name, string mentions)
    {
        File.WriteAllBytes(_index, bytes);
        var e = Record.Exception(() => HnswIndex.Load(_index, _vectors, Dim));
        Assert.True(e is InvalidDataException, $"{name}: {e?.ToString() ?? "loaded"}");
        Assert.StartsWith(_index + ": ", e.Message);
        Assert.True(e.Message.Contains(mentions), $"{name}: {e.Message}");
        Assert.False(LoadIndex(name));
    }

    [Fact]
    public void An_index_of_the_old_format_says_to_rebuild_it()
    {
        var bytes = (byte[])_good.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), 1);
        IndexRejected(bytes, "format 1", "rebuild it with veclm index");
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), 3);
        IndexRejected(bytes, "format 3", "unsupported index format 3");
    }

    [Fact]
    public void A_damaged_byte_anywhere_fails_the_checksum()
    {
        int layer0 = HnswFile.HeaderSize + 4 * Count + 40, upper = _good.Length - 6;
        // efConstruction and the seed (header fields no other check reads), the levels, layer 0, the upper layers.
        foreach (int at in new[] { 28 + 4 * 3, 28 + 4 * 4 + 1, HnswFile.HeaderSize + 5, layer0, upper, _good.Length / 2 })
        {
            var bytes = (byte[])_good.Clone();
            bytes[at] ^= 0x10;
            IndexRejected(bytes, $"a bit flipped at {at}", "checksum does not match");
        }
        IndexRejected(Damage.RandomRun(_good, _good.Length / 2, 64, seed: 4), "random bytes in the middle", "checksum");
        IndexRejected(Damage.ZeroedRun(_good, _good.Length / 2, 64), "zeroed in the middle", "checksum");
        IndexRejected(Damage.Zeroed(_good), "zeroed", "bad magic");
        IndexRejected(Damage.RandomRun(_good, 0, 16, seed: 5), "random bytes at the start", "bad magic");
        foreach (int length in new[] { 0, 7, 11, 50, HnswFile.HeaderSize, _good.Length / 2, _good.Length - 1 })
            IndexRejected(Damage.Truncated(_good, length), $"truncated to {length}", "truncated");
        IndexRejected([.. _good, 0, 0, 0, 0], "four bytes more", "unexpected bytes");
    }

    [Fact]
    public void Absurd_header_values_are_rejected_before_allocating_even_with_a_valid_checksum()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        IndexRejected(Sealed(WithField(0, int.MaxValue)), "count 2^31-1", "corrupt header");
        IndexRejected(Sealed(WithField(0, -1)), "count -1", "corrupt header");
        IndexRejected(Sealed(WithField(2, 1 << 30)), "M 2^30", "corrupt header");
        IndexRejected(Sealed(WithField(2, 1)), "M 1", "corrupt");
        IndexRejected(Sealed(WithField(2, 7)), "another M", "corrupt");
        IndexRejected(Sealed(WithField(1, 1 << 30)), "dim 2^30", "dimension");
        IndexRejected(Sealed(WithField(5, -5)), "entry point -5", "entry point");
        IndexRejected(Sealed(WithField(5, Count)), "entry point past the end", "entry point");
        IndexRejected(Sealed(WithField(6, 1000)), "top layer 1000", "entry point");
        foreach (long length in new[] { long.MaxValue, long.MinValue, -4, 1L << 40 })
        {
            var bytes = (byte[])_good.Clone();
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(68), length);
            IndexRejected(Sealed(bytes), $"body length {length}", length > 0 ? "truncated" : "unexpected bytes");
        }
        var levels = (byte[])_good.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(levels.AsSpan(HnswFile.HeaderSize + 4 * 7), 1 << 20);
        IndexRejected(Sealed(levels), "a node on layer 2^20", "corrupt node levels");
        var link = (byte[])_good.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(link.AsSpan(HnswFile.HeaderSize + 4 * Count + 8), Count + 5);
        IndexRejected(Sealed(link), "a link out of range", "corrupt graph");
        var links = (byte[])_good.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(links.AsSpan(HnswFile.HeaderSize + 4 * Count), 1 << 20);
        IndexRejected(Sealed(links), "2^20 links on layer 0", "corrupt graph");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 20, "a header made the reader allocate");
    }

    /// <summary>
    /// 300 seeded mutations as they come (the checksum must catch them) and 300 resealed with a valid checksum, which
    /// reach the reader's own checks: each loads a searchable index or is rejected cleanly.
    /// </summary>
    [Fact]
    public void Fuzzed_index_files_load_or_are_rejected_cleanly()
    {
        int loaded = 0;
        foreach (var (name, bytes) in Damage.Fuzz(_good, 300, seed: 41))
        {
            File.WriteAllBytes(_index, bytes);
            if (LoadIndex(name) && !bytes.AsSpan().SequenceEqual(_good)) loaded++;
        }
        Assert.Equal(0, loaded); // the checksum covers every byte
        foreach (var (name, bytes) in Damage.Fuzz(_good, 300, seed: 42))
        {
            File.WriteAllBytes(_index, Sealed(bytes));
            LoadIndex("resealed " + name);
        }
        File.WriteAllBytes(_index, _good);
        Assert.True(LoadIndex("the good file"));
    }

    [Fact]
    public void The_vectors_checksum_changes_with_any_bit()
    {
        var data = TestData.RandomVectors(100, 8, seed: 2);
        ulong before = HnswFile.VectorsChecksum(data, 8);
        Assert.Equal(before, HnswFile.VectorsChecksum(data, 8));
        data[57] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(data[57]) ^ 1);
        Assert.NotEqual(before, HnswFile.VectorsChecksum(data, 8));
        Assert.NotEqual(HnswFile.VectorsChecksum(data, 8), HnswFile.VectorsChecksum(data, 4));
    }

    private string QueryPath => Path.Combine(_dir, "q.txt");

    private byte[] GoodQueries()
    {
        var text = new StringBuilder($"20 {Dim}\n");
        for (int i = 0; i < 20; i++)
            text.Append($"q{i} ").AppendJoin(' ', _queries.AsSpan(i * Dim, Dim).ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture))).Append('\n');
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private bool LoadQueries(string name) => Damage.Check(name, () => QueryFile.Read(QueryPath), q =>
    {
        Assert.Equal(q.Count * q.Dim, q.Data.Length);
        Assert.All(q.Data, x => Assert.True(float.IsFinite(x)));
        if (q.Dim == Dim) new ExactIndex(_vectors, Dim).SearchBatch(q.Data, 3);
    }, Limit, typeof(InvalidDataException));

    private void QueriesRejected(byte[] bytes, string name, string? mentions = null)
    {
        File.WriteAllBytes(QueryPath, bytes);
        var e = Record.Exception(() => QueryFile.Read(QueryPath));
        Assert.True(e is InvalidDataException, $"{name}: {e?.ToString() ?? "loaded"}");
        Assert.StartsWith(QueryPath + ": ", e.Message);
        if (mentions is not null) Assert.True(e.Message.Contains(mentions), $"{name}: {e.Message}");
        Assert.False(LoadQueries(name));
    }

    [Fact]
    public void Damaged_query_files_are_rejected()
    {
        var good = GoodQueries();
        foreach (int length in new[] { 0, 2, good.Length / 2, good.Length - 60 })
            QueriesRejected(Damage.Truncated(good, length), $"truncated to {length}");
        QueriesRejected(Damage.Zeroed(good), "zeroed", "line 1 must be");
        QueriesRejected(Damage.RandomRun(good, 0, 12, seed: 6), "random bytes at the start");
        QueriesRejected(Damage.ZeroedRun(good, good.Length / 2, 20), "zeroed in the middle");
        foreach (var header in Damage.AbsurdHeaders)
            QueriesRejected(Damage.WithHeader(good, header), $"header '{header}'");
        QueriesRejected(Damage.WithHeader(good, $"100000000 {Dim}"), "a hundred million queries", "truncated or damaged header");
        QueriesRejected(Damage.WithHeader(good, $"1 2147483647"), "dimension 2^31-1", "damaged header");
        var invalid = (byte[])good.Clone();
        invalid[good.AsSpan().IndexOf("q7 "u8) + 1] = 0xFE;
        QueriesRejected(invalid, "invalid UTF-8", "line 9 is not valid UTF-8");
        var text = Encoding.UTF8.GetString(good);
        int value = text.IndexOf("\nq3 ", StringComparison.Ordinal) + 4;
        foreach (var bad in new[] { "NaN", "-Infinity", "1e40" })
            QueriesRejected(Encoding.UTF8.GetBytes(text[..value] + bad + text[text.IndexOf(' ', value)..]), bad, "finite");
    }

    [Fact]
    public void Fuzzed_query_files_load_or_are_rejected_cleanly()
    {
        var good = GoodQueries();
        foreach (var (name, bytes) in Damage.Fuzz(good, 300, seed: 43))
        {
            File.WriteAllBytes(QueryPath, bytes);
            LoadQueries(name);
        }
        File.WriteAllBytes(QueryPath, good);
        Assert.True(LoadQueries("the good file"));
    }
}
