using System.Text;

namespace VecLm.Regressor;

/// <summary>
/// The parts of a sealed file opened by <see cref="SealedFile.Open"/> (checksum already verified): each read as a
/// stream of its own bytes, or, when small, as an array. Disposing closes the file.
/// </summary>
public sealed class SealedParts : IDisposable
{
    private readonly FileStream file;
    private readonly Dictionary<string, (long Offset, long Length)> parts;

    internal SealedParts(string path, FileStream file, Dictionary<string, (long Offset, long Length)> parts)
    {
        Path = path;
        this.file = file;
        this.parts = parts;
    }

    public string Path { get; }

    public IEnumerable<string> Names => parts.Keys;

    public bool Has(string name) => parts.ContainsKey(name);

    /// <summary>The part's bytes read through (a reader over the file, not a copy), or a clear error without it.</summary>
    public BinaryReader Reader(string name)
    {
        var (offset, length) = Locate(name);
        return new BinaryReader(new PartStream(file, offset, length), Encoding.UTF8);
    }

    /// <summary>A part small enough for one array (state, random generator, LSTM state).</summary>
    public byte[] Bytes(string name)
    {
        var (offset, length) = Locate(name);
        if (length > Array.MaxLength) throw SealedFile.Damaged(Path, $"part '{name}' ({length:N0} bytes) is too long for one array");
        var bytes = new byte[length];
        for (int done = 0; done < bytes.Length;)
        {
            int read = RandomAccess.Read(file.SafeFileHandle, bytes.AsSpan(done), offset + done);
            if (read == 0) throw SealedFile.Damaged(Path, $"part '{name}' runs past the end");
            done += read;
        }
        return bytes;
    }

    public void Dispose() => file.Dispose();

    private (long Offset, long Length) Locate(string name) =>
        parts.TryGetValue(name, out var at) ? at : throw SealedFile.Damaged(Path, $"it has no '{name}' part");

    /// <summary>A read-only window on [offset, offset + length) of the file, with a position of its own.</summary>
    private sealed class PartStream(FileStream file, long offset, long length) : Stream
    {
        private long position;

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length;

        public override long Position
        {
            get => position;
            set => position = value is >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
        }

        public override int Read(byte[] buffer, int start, int count) => Read(buffer.AsSpan(start, count));

        public override int Read(Span<byte> buffer)
        {
            long left = length - position;
            if (left <= 0) return 0;
            if (buffer.Length > left) buffer = buffer[..(int)left];
            int read = RandomAccess.Read(file.SafeFileHandle, buffer, offset + position);
            position += read;
            return read;
        }

        public override long Seek(long at, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => at,
            SeekOrigin.Current => position + at,
            _ => length + at,
        };

        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int start, int count) => throw new NotSupportedException();
    }
}
