namespace VecLm.Embeddings;

/// <summary>
/// Reads a stream line by line as strict UTF-8, decoding each line alone, so invalid bytes are reported with their
/// line number (a <see cref="StreamReader"/> decodes whole buffers and cannot tell which line was bad). Lines end at
/// '\n', a trailing '\r' is dropped, and a UTF-8 byte-order mark at the start of the stream is skipped.
/// </summary>
public sealed class Utf8LineReader(Stream stream, string path, int linesBefore = 0)
{
    private readonly byte[] _buffer = new byte[1 << 16];
    private byte[] _line = new byte[256];
    private int _pos, _length;
    private bool _started = linesBefore > 0;

    /// <summary>The number of the line last returned (1-based, counting the lines before this reader).</summary>
    public int LineNumber { get; private set; } = linesBefore;

    /// <summary>The next line without its end, or null at the end of the stream.</summary>
    public string? ReadLine()
    {
        int n = 0;
        bool any = false;
        while (true)
        {
            if (_pos == _length)
            {
                _length = stream.Read(_buffer);
                _pos = 0;
                if (_length == 0)
                {
                    if (!any) return null;
                    break;
                }
            }
            any = true;
            var rest = _buffer.AsSpan(_pos, _length - _pos);
            int newline = rest.IndexOf((byte)'\n');
            var part = newline < 0 ? rest : rest[..newline];
            if (n + part.Length > _line.Length) Array.Resize(ref _line, Math.Max(_line.Length * 2, n + part.Length));
            part.CopyTo(_line.AsSpan(n));
            n += part.Length;
            _pos += part.Length;
            if (newline >= 0)
            {
                _pos++;
                break;
            }
        }
        LineNumber++;
        var line = _line.AsSpan(0, n);
        if (!_started)
        {
            _started = true;
            if (line.StartsWith("\uFEFF"u8)) line = line[3..];
        }
        if (line.Length > 0 && line[^1] == '\r') line = line[..^1];
        return VectorFile.Decode(line, path, $"line {LineNumber}");
    }
}
