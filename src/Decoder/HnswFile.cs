using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using VecLm.Embeddings;

namespace VecLm.Decoder;

/// <summary>
/// The index file (format 2): a header (magic, version, distance, count, dim, M, efConstruction, seed, entry point,
/// top layer, the XXH3 checksum of the vectors the graph was built from, the body's length, the file's XXH3
/// checksum), then the body (each node's level, the layer-0 lists, the upper-layer lists). The file checksum covers
/// every byte but its own eight, header and graph alike, so a flipped bit anywhere is caught. The vectors are not
/// stored: an index is loaded with its vectors file. Any mismatch, corruption or truncation is an
/// <see cref="InvalidDataException"/> with a one-line message naming the file; sizes in the header are checked
/// against the file's length before anything is allocated. Format 1 (a hand-written checksum over the body only) is
/// not read: such a file is reported as one to rebuild.
/// </summary>
public static class HnswFile
{
    private static ReadOnlySpan<byte> Magic => "VECLMHNS"u8;
    public const int Version = 2;
    internal const int HeaderSize = 8 + 4 + 16 + 8 * 4 + 8 + 8 + 8;
    /// <summary>Where the file checksum sits: the header's last eight bytes.</summary>
    internal const int ChecksumOffset = HeaderSize - 8;
    private const int MaxM = 10_000, MaxLevel = 64;

    /// <summary>The checksum that ties an index to its vectors: count, dim and every value as given (XXH3, 64 bits).</summary>
    public static ulong VectorsChecksum(ReadOnlySpan<float> vectors, int dim)
    {
        var hash = new XxHash3();
        hash.Append(MemoryMarshal.AsBytes<int>([vectors.Length / Math.Max(dim, 1), dim]));
        hash.Append(MemoryMarshal.AsBytes(vectors));
        return hash.GetCurrentHashAsUInt64();
    }

    /// <summary>The file checksum: XXH3 over the header without its checksum field, then the body.</summary>
    internal static ulong FileChecksum(ReadOnlySpan<byte> header, params ReadOnlySpan<int[]> body)
    {
        var hash = new XxHash3();
        hash.Append(header[..ChecksumOffset]);
        foreach (var part in body) hash.Append(MemoryMarshal.AsBytes(part.AsSpan()));
        return hash.GetCurrentHashAsUInt64();
    }

    internal static void Write<T>(string path, HnswIndex<T> index, ulong vectorsChecksum) where T : struct, IDistance
    {
        var header = new byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), Version);
        Encoding.ASCII.GetBytes(T.Name, header.AsSpan(12, 16));
        int[] fields = [index.Count, index.Dim, index.M, index.EfConstruction, index.Seed, index.EntryPoint, index.MaxLevel, 0];
        for (int i = 0; i < fields.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(28 + 4 * i), fields[i]);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(60), vectorsChecksum);
        long bodyLength = 4L * (index.Levels.Length + index.Links0Data.Length + index.UpperData.Length);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(68), bodyLength);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(ChecksumOffset),
                                                 FileChecksum(header, index.Levels, index.Links0Data, index.UpperData));
        AtomicFile.Write(path, stream =>
        {
            stream.Write(header);
            stream.Write(MemoryMarshal.AsBytes(index.Levels.AsSpan()));
            stream.Write(MemoryMarshal.AsBytes(index.Links0Data.AsSpan()));
            stream.Write(MemoryMarshal.AsBytes(index.UpperData.AsSpan()));
        });
    }

    internal static HnswIndex<T> Read<T>(string path, ReadOnlySpan<float> vectors, int dim) where T : struct, IDistance
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"index file not found: {path}", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var header = new byte[HeaderSize];
        int got = stream.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false);
        if (got >= 8 && !header.AsSpan(0, 8).SequenceEqual(Magic)) throw Bad(path, "not a veclm HNSW index (bad magic)");
        if (got >= 12)
        {
            int version = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8));
            if (version == 1)
                throw Bad(path, "index format 1, written by an older veclm; this veclm reads format 2: rebuild it with veclm index");
            if (version != Version)
                throw Bad(path, $"unsupported index format {version} (this veclm reads {Version}; a damaged file, or a newer veclm's)");
        }
        if (got < HeaderSize) throw Bad(path, $"truncated header ({got} of {HeaderSize} bytes; not a veclm HNSW index?)");
        string distance = Encoding.ASCII.GetString(header, 12, 16).TrimEnd('\0');
        int Field(int i) => BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(28 + 4 * i));
        int count = Field(0), idim = Field(1), m = Field(2), efc = Field(3), seed = Field(4), entry = Field(5), maxLevel = Field(6);
        ulong vectorsChecksum = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(60));
        long bodyLength = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(68));
        ulong fileChecksum = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(ChecksumOffset));

        long actual = stream.Length - HeaderSize;
        if (bodyLength > actual) throw Bad(path, $"truncated: the body has {actual:N0} bytes, the header says {bodyLength:N0}");
        if (bodyLength < actual) throw Bad(path, $"corrupt: {actual - bodyLength:N0} unexpected bytes after the index body");
        // Sizes before allocating: whatever the header says, nothing larger than the file is read.
        if (count < 0 || m < 2 || m > MaxM || 4L * count * (2L * m + 2) > bodyLength || bodyLength % 4 != 0
            || bodyLength / 4 > Array.MaxLength)
            throw Bad(path, $"corrupt header ({count} nodes, M {m}, a body of {bodyLength:N0} bytes)");
        var levels = ReadInts(stream, count, path);
        var links0 = ReadInts(stream, count * (2 * m + 1), path, pinned: true);
        var upper = ReadInts(stream, (int)(bodyLength / 4 - (long)count * (2 * m + 2)), path, pinned: true);
        if (FileChecksum(header, levels, links0, upper) != fileChecksum)
            throw Bad(path, "corrupt: the checksum does not match (a damaged file; rebuild it with veclm index)");

        if (distance != T.Name) throw Bad(path, $"index uses the {VectorFile.Excerpt(distance)} distance, expected {T.Name}");
        if (idim != dim || count != vectors.Length / Math.Max(dim, 1))
            throw Bad(path, $"index is for {count} vectors of dimension {idim}, the vectors file has "
                            + $"{vectors.Length / Math.Max(dim, 1)} of dimension {dim}");
        if (vectorsChecksum != VectorsChecksum(vectors, dim))
            throw Bad(path, "index was built from other vectors (checksum mismatch); rebuild it with veclm index");
        long upperLength = 0;
        foreach (int level in levels)
        {
            if (level < 0 || level > MaxLevel) throw Bad(path, "corrupt node levels");
            upperLength += (long)level * (m + 1);
        }
        if (upperLength != upper.Length) throw Bad(path, "corrupt: the body length does not match the node levels");
        if (count > 0 && (maxLevel < 0 || maxLevel > MaxLevel || entry < 0 || entry >= count || levels[entry] != maxLevel))
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
