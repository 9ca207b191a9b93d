using System.Runtime.InteropServices;
using System.Text;
using VecLm.Embeddings;

namespace VecLm.Decoder;

/// <summary>
/// The index file: a header (magic, version, distance, count, dim, M, efConstruction, seed, entry point, top
/// layer, a checksum of the vectors the graph was built from, the body's length and checksum), then the body
/// (each node's level, the layer-0 lists, the upper-layer lists). The vectors are not stored: an index is loaded
/// with its vectors file, and any mismatch, corruption or truncation is an <see cref="InvalidDataException"/>.
/// </summary>
public static class HnswFile
{
    private static ReadOnlySpan<byte> Magic => "VECLMHNS"u8;
    public const int Version = 1;
    private const int HeaderSize = 8 + 4 + 16 + 8 * 4 + 8 + 8 + 8;

    /// <summary>The checksum that ties an index to its vectors: count, dim and every value as given.</summary>
    public static ulong VectorsChecksum(ReadOnlySpan<float> vectors, int dim)
    {
        var c = new Checksum64();
        c.Append<int>([vectors.Length / Math.Max(dim, 1), dim]);
        c.Append(vectors);
        return c.Value;
    }

    internal static void Write<T>(string path, HnswIndex<T> index, ulong vectorsChecksum) where T : struct, IDistance
    {
        var body = new Checksum64();
        body.Append<int>(index.Levels);
        body.Append<int>(index.Links0Data);
        body.Append<int>(index.UpperData);
        long bodyLength = 4L * (index.Levels.Length + index.Links0Data.Length + index.UpperData.Length);
        AtomicFile.Write(path, stream =>
        {
            using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            w.Write(Magic);
            w.Write(Version);
            var name = new byte[16];
            Encoding.ASCII.GetBytes(T.Name, name);
            w.Write(name);
            foreach (int v in new[] { index.Count, index.Dim, index.M, index.EfConstruction, index.Seed,
                                      index.EntryPoint, index.MaxLevel, 0 })
                w.Write(v);
            w.Write(vectorsChecksum);
            w.Write(bodyLength);
            w.Write(body.Value);
            w.Flush();
            stream.Write(MemoryMarshal.AsBytes(index.Levels.AsSpan()));
            stream.Write(MemoryMarshal.AsBytes(index.Links0Data.AsSpan()));
            stream.Write(MemoryMarshal.AsBytes(index.UpperData.AsSpan()));
        });
    }

    internal static HnswIndex<T> Read<T>(string path, ReadOnlySpan<float> vectors, int dim) where T : struct, IDistance
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"index file not found: {path}", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        if (stream.Length < HeaderSize) throw Bad(path, "truncated header (not a veclm HNSW index?)");
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        if (!r.ReadBytes(8).AsSpan().SequenceEqual(Magic)) throw Bad(path, "not a veclm HNSW index (bad magic)");
        int version = r.ReadInt32();
        if (version != Version) throw Bad(path, $"unsupported index version {version} (this veclm reads {Version})");
        string distance = Encoding.ASCII.GetString(r.ReadBytes(16)).TrimEnd('\0');
        if (distance != T.Name) throw Bad(path, $"index uses the {distance} distance, expected {T.Name}");
        int count = r.ReadInt32(), idim = r.ReadInt32(), m = r.ReadInt32(), efc = r.ReadInt32(), seed = r.ReadInt32();
        int entry = r.ReadInt32(), maxLevel = r.ReadInt32();
        r.ReadInt32();
        ulong vectorsChecksum = r.ReadUInt64();
        long bodyLength = r.ReadInt64();
        ulong bodyChecksum = r.ReadUInt64();
        if (idim != dim || count != vectors.Length / Math.Max(dim, 1))
            throw Bad(path, $"index is for {count} vectors of dimension {idim}, the vectors file has "
                            + $"{vectors.Length / Math.Max(dim, 1)} of dimension {dim}");
        if (vectorsChecksum != VectorsChecksum(vectors, dim))
            throw Bad(path, "index was built from other vectors (checksum mismatch); rebuild it with veclm index");
        if (m < 2 || count < 0 || bodyLength < 0 || maxLevel > 64)
            throw Bad(path, "corrupt header");
        if (stream.Length - HeaderSize < bodyLength) throw Bad(path, "truncated: the file is shorter than its header says");
        if (stream.Length - HeaderSize > bodyLength) throw Bad(path, "unexpected bytes after the index body");

        var levels = ReadInts(stream, count, path);
        long upperLength = 0;
        foreach (int level in levels)
        {
            if (level < 0 || level > 64) throw Bad(path, "corrupt node levels");
            upperLength += (long)level * (m + 1);
        }
        long expected = 4L * (count + (long)count * (2 * m + 1) + upperLength);
        if (expected != bodyLength) throw Bad(path, "corrupt: the body length does not match the node levels");
        var links0 = ReadInts(stream, checked(count * (2 * m + 1)), path, pinned: true);
        var upper = ReadInts(stream, checked((int)upperLength), path, pinned: true);
        var body = new Checksum64();
        body.Append<int>(levels);
        body.Append<int>(links0);
        body.Append<int>(upper);
        if (body.Value != bodyChecksum) throw Bad(path, "corrupt: the body checksum does not match");
        if (count > 0 && (entry < 0 || entry >= count || levels[entry] != maxLevel))
            throw Bad(path, "corrupt: bad entry point");

        var data = T.Normalizes ? DotProduct.Normalized(vectors, dim) : HnswIndex<T>.PinnedCopy(vectors);
        var index = new HnswIndex<T>(data, dim, m, efc, seed, vectorsChecksum, levels, links0, upper, count > 0 ? entry : -1,
                                     count > 0 ? maxLevel : -1);
        var problem = index.FindIntegrityProblems(checkReachability: false).FirstOrDefault();
        if (problem is not null) throw Bad(path, $"corrupt graph: {problem}");
        return index;
    }

    private static int[] ReadInts(Stream stream, int count, string path, bool pinned = false)
    {
        var values = GC.AllocateUninitializedArray<int>(count, pinned);
        try { stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan())); }
        catch (EndOfStreamException) { throw Bad(path, "truncated body"); }
        return values;
    }

    private static InvalidDataException Bad(string path, string message) => new($"{path}: {message}");
}
