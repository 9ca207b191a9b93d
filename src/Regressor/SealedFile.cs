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
/// The whole file is read and its checksum verified before any part is handed on, so a truncated, zeroed or
/// overwritten file — at the start, in the middle or at the end — is an <see cref="InvalidDataException"/> naming the
/// file, never garbage given to TorchSharp's loader (which can crash in native code on it). Written through
/// <see cref="AtomicFile"/> and flushed to the disk before the rename.
/// </summary>
public static class SealedFile
{
    private static readonly byte[] Magic = "VECLMSF1"u8.ToArray();
    private const int KindBytes = 8;

    /// <summary>True if <paramref name="path"/> starts like a sealed file (the checksum is not checked).</summary>
    public static bool LooksSealed(string path)
    {
        if (!File.Exists(path)) return false;
        using var stream = File.OpenRead(path);
        var head = new byte[Magic.Length];
        return stream.Read(head) == head.Length && head.AsSpan().SequenceEqual(Magic);
    }

    public static void Write(string path, string kind, IReadOnlyList<(string Name, byte[] Data)> parts)
    {
        var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(KindBytesOf(kind));
            writer.Write(parts.Count);
            foreach (var (name, data) in parts)
            {
                var nameBytes = Encoding.UTF8.GetBytes(name);
                writer.Write(nameBytes.Length);
                writer.Write(nameBytes);
                writer.Write((long)data.Length);
                writer.Write(data);
            }
        }
        ulong hash = XxHash64.HashToUInt64(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        buffer.Write(BitConverter.GetBytes(hash));
        AtomicFile.Write(path, stream =>
        {
            buffer.Position = 0;
            buffer.CopyTo(stream);
            if (stream is FileStream file) file.Flush(flushToDisk: true);
        });
    }

    /// <summary>The parts of a sealed file of kind <paramref name="kind"/>, its checksum verified first.</summary>
    public static Dictionary<string, byte[]> Read(string path, string kind)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"file not found: {path}", path);
        var bytes = File.ReadAllBytes(path);
        int header = Magic.Length + KindBytes + 4;
        if (bytes.Length < header + 8 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw Damaged(path, "it does not start as a VecLm file (overwritten or truncated at the start)");
        ulong stored = BitConverter.ToUInt64(bytes, bytes.Length - 8);
        if (XxHash64.HashToUInt64(bytes.AsSpan(0, bytes.Length - 8)) != stored)
            throw Damaged(path, "its checksum does not match (truncated or changed)");
        if (!bytes.AsSpan(Magic.Length, KindBytes).SequenceEqual(KindBytesOf(kind)))
            throw Damaged(path, $"it is not a {kind} file");
        var parts = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var reader = new BinaryReader(new MemoryStream(bytes, header - 4, bytes.Length - 8 - (header - 4)));
        try
        {
            int count = reader.ReadInt32();
            for (int i = 0; i < count; i++)
            {
                int nameLength = reader.ReadInt32();
                string name = Encoding.UTF8.GetString(reader.ReadBytes(nameLength));
                long length = reader.ReadInt64();
                if (length < 0 || length > reader.BaseStream.Length - reader.BaseStream.Position)
                    throw Damaged(path, $"part '{name}' runs past the end");
                parts[name] = reader.ReadBytes((int)length);
            }
        }
        catch (EndOfStreamException)
        {
            throw Damaged(path, "its parts run past the end");
        }
        return parts;
    }

    /// <summary>The part <paramref name="name"/> of a file read by <see cref="Read"/>, or a clear error.</summary>
    public static byte[] Part(this Dictionary<string, byte[]> parts, string name, string path) =>
        parts.TryGetValue(name, out var data) ? data : throw Damaged(path, $"it has no '{name}' part");

    public static InvalidDataException Damaged(string path, string why) => new($"'{path}' is damaged: {why}");

    private static byte[] KindBytesOf(string kind)
    {
        var bytes = new byte[KindBytes];
        Encoding.ASCII.GetBytes(kind.AsSpan(0, Math.Min(kind.Length, KindBytes)), bytes);
        return bytes;
    }
}
