using System.IO.Hashing;
using System.Text;
using VecLm.Embeddings;

namespace VecLm.Regressor;

/// <summary>
/// A binary file of named parts sealed by a checksum, the container of <c>model.weights</c> and <c>checkpoint.bin</c>:
/// <code>
///   "VECLMSF1"  kind (8 ASCII bytes, NUL-padded)  part count (int32)
///   per part: name (int32 length + UTF-8)  length (int64)  bytes
///   XxHash64 of every byte before it (8 bytes, little-endian)
/// </code>
/// Parts are streamed to the file and read back as streams, never held whole in memory: a softmax model at a million
/// words has a 1 GB weights part and 2 GB of Adam's state, more than one array or <see cref="MemoryStream"/> holds.
/// The whole file's checksum is verified (<see cref="Open"/>) before any part is handed on, so a truncated, zeroed or
/// overwritten file — at the start, in the middle or at the end — is an <see cref="InvalidDataException"/> naming the
/// file, never garbage given to TorchSharp's loader (which can crash in native code on it). Written through
/// <see cref="AtomicFile"/> and flushed to the disk before the rename.
/// </summary>
public static class SealedFile
{
    private static readonly byte[] Magic = "VECLMSF1"u8.ToArray();
    private const int KindBytes = 8;
    private const int Chunk = 1 << 20;

    /// <summary>True if <paramref name="path"/> starts like a sealed file (the checksum is not checked).</summary>
    public static bool LooksSealed(string path)
    {
        if (!File.Exists(path)) return false;
        using var stream = File.OpenRead(path);
        var head = new byte[Magic.Length];
        return stream.Read(head) == head.Length && head.AsSpan().SequenceEqual(Magic);
    }

    public static void Write(string path, string kind, IReadOnlyList<(string Name, byte[] Data)> parts) =>
        Write(path, kind, parts.Select(p => (p.Name, (Action<Stream>)(s => s.Write(p.Data)))).ToList());

    /// <summary>
    /// Writes the parts in order, each by its writer straight into the file (the length before each part is filled
    /// in after it), then the checksum of everything written, read back in chunks.
    /// </summary>
    public static void Write(string path, string kind, IReadOnlyList<(string Name, Action<Stream> Write)> parts) =>
        AtomicFile.WriteVia(path, temp =>
        {
            using var file = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, Chunk);
            using (var writer = new BinaryWriter(file, Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(Magic);
                writer.Write(KindBytesOf(kind));
                writer.Write(parts.Count);
                foreach (var (name, write) in parts)
                {
                    var nameBytes = Encoding.UTF8.GetBytes(name);
                    writer.Write(nameBytes.Length);
                    writer.Write(nameBytes);
                    writer.Flush();
                    long lengthAt = file.Position;
                    writer.Write(0L);
                    writer.Flush();
                    write(file);
                    long end = file.Position;
                    file.Position = lengthAt;
                    writer.Write(end - lengthAt - sizeof(long));
                    writer.Flush();
                    file.Position = end;
                }
            }
            file.Flush();
            ulong hash = HashOf(file, file.Length);
            file.Position = file.Length;
            file.Write(BitConverter.GetBytes(hash));
            file.Flush(flushToDisk: true);
        });

    /// <summary>
    /// Opens a sealed file of kind <paramref name="kind"/>: its checksum verified over every byte and its parts
    /// located, before anything is read from them. The file stays open (and unchanged by a later atomic rename over
    /// it) until the parts are disposed.
    /// </summary>
    public static SealedParts Open(string path, string kind)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"file not found: {path}", path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, Chunk);
        try
        {
            int header = Magic.Length + KindBytes + 4;
            var head = new byte[header];
            if (file.Length < header + 8 || file.ReadAtLeast(head, header, throwOnEndOfStream: false) < header
                || !head.AsSpan(0, Magic.Length).SequenceEqual(Magic))
                throw Damaged(path, "it does not start as a VecLm file (overwritten or truncated at the start)");
            long body = file.Length - 8;
            var stored = new byte[8];
            RandomAccess.Read(file.SafeFileHandle, stored, body);
            if (HashOf(file, body) != BitConverter.ToUInt64(stored))
                throw Damaged(path, "its checksum does not match (truncated or changed)");
            if (!head.AsSpan(Magic.Length, KindBytes).SequenceEqual(KindBytesOf(kind)))
                throw Damaged(path, $"it is not a {kind} file");
            return new SealedParts(path, file, Locate(path, file, header - 4, body));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Every part of a small sealed file as bytes, its checksum verified first.</summary>
    public static Dictionary<string, byte[]> Read(string path, string kind)
    {
        using var parts = Open(path, kind);
        return parts.Names.ToDictionary(name => name, name => parts.Bytes(name), StringComparer.Ordinal);
    }

    /// <summary>The part <paramref name="name"/> of a file read by <see cref="Read"/>, or a clear error.</summary>
    public static byte[] Part(this Dictionary<string, byte[]> parts, string name, string path) =>
        parts.TryGetValue(name, out var data) ? data : throw Damaged(path, $"it has no '{name}' part");

    public static InvalidDataException Damaged(string path, string why) => new($"'{path}' is damaged: {why}");

    /// <summary>The table of parts (name → where its bytes start, how many) read from <paramref name="at"/>.</summary>
    private static Dictionary<string, (long Offset, long Length)> Locate(string path, FileStream file, long at, long body)
    {
        var parts = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        file.Position = at;
        using var reader = new BinaryReader(file, Encoding.UTF8, leaveOpen: true);
        try
        {
            int count = reader.ReadInt32();
            if (count < 0) throw Damaged(path, "its part count is negative");
            for (int i = 0; i < count; i++)
            {
                int nameLength = reader.ReadInt32();
                if (nameLength < 0 || nameLength > body - file.Position) throw Damaged(path, "a part's name runs past the end");
                string name = Encoding.UTF8.GetString(reader.ReadBytes(nameLength));
                long length = reader.ReadInt64();
                if (length < 0 || length > body - file.Position)
                    throw Damaged(path, $"part '{name}' runs past the end");
                parts[name] = (file.Position, length);
                file.Position += length;
            }
        }
        catch (EndOfStreamException)
        {
            throw Damaged(path, "its parts run past the end");
        }
        return parts;
    }

    private static ulong HashOf(FileStream file, long length)
    {
        var hash = new XxHash64();
        var buffer = new byte[Chunk];
        for (long at = 0; at < length;)
        {
            int read = RandomAccess.Read(file.SafeFileHandle, buffer.AsSpan(0, (int)Math.Min(Chunk, length - at)), at);
            if (read == 0) throw new EndOfStreamException();
            hash.Append(buffer.AsSpan(0, read));
            at += read;
        }
        return hash.GetCurrentHashAsUInt64();
    }

    private static byte[] KindBytesOf(string kind)
    {
        var bytes = new byte[KindBytes];
        Encoding.ASCII.GetBytes(kind.AsSpan(0, Math.Min(kind.Length, KindBytes)), bytes);
        return bytes;
    }
}
