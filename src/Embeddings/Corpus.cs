using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace VecLm.Embeddings;

/// <summary>
/// A text file, streamed line by line and never held whole: tokens are separated by white space and every non-blank
/// line ends with <c>&lt;/s&gt;</c> (added by the readers, not stored in the file). Pre-tokenised text as it is, or raw
/// text through a <see cref="Embeddings.Tokenizer"/> (<c>--tokenize</c>), line by line as it is read: the lines yielded
/// then hold the tokens separated by single spaces. Bytes that are not UTF-8 are replaced by U+FFFD and counted in
/// <see cref="InvalidSequences"/>.
/// </summary>
public sealed class Corpus
{
    private const int ChunkBytes = 1 << 16;
    private readonly Tokenizer? _tokenizer;
    private long _invalid;

    public Corpus(string path, TokenizerOptions? tokenizer = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"corpus file not found: {path}", path);
        Path = path;
        Length = new FileInfo(path).Length;
        _tokenizer = tokenizer is null ? null : new Tokenizer(tokenizer);
    }

    public string Path { get; }
    /// <summary>How the lines are tokenised: null for pre-tokenised text (split on white space).</summary>
    public TokenizerOptions? Tokenizer => _tokenizer?.Options;
    /// <summary>Size of the file in bytes: the unit of <see cref="Lines"/>' ranges, as in word2vec C's threads.</summary>
    public long Length { get; }
    /// <summary>Invalid UTF-8 sequences met so far (all passes, all threads).</summary>
    public long InvalidSequences => Interlocked.Read(ref _invalid);

    /// <summary>
    /// The non-blank lines that start in the byte range [<paramref name="start"/>, <paramref name="end"/>): a line
    /// belongs to the range its first byte is in, so consecutive ranges cover each line exactly once. The yielded
    /// memory is reused: consume it before moving on.
    /// </summary>
    public IEnumerable<ReadOnlyMemory<char>> Lines(long start = 0, long end = long.MaxValue)
    {
        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        byte[] buffer = new byte[ChunkBytes];
        char[] chars = new char[ChunkBytes];
        char[] tokens = _tokenizer is null ? [] : new char[Embeddings.Tokenizer.MaxLength(ChunkBytes)];
        var pending = new ArrayBufferWriter<byte>();
        long position = start;
        if (start > 0)
        {
            // Begin at the first line that starts at or after `start`: skip the rest of the line before it.
            stream.Position = start - 1;
            position = stream.ReadByte() == '\n' ? start : SkipLine(stream, start);
            stream.Position = position;
        }
        long lineStart = position;
        int read;
        while (lineStart < end && (read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            int from = 0;
            while (from < read)
            {
                int nl = Array.IndexOf(buffer, (byte)'\n', from, read - from);
                if (nl < 0) { pending.Write(buffer.AsSpan(from, read - from)); break; }
                var line = Join(pending, buffer.AsSpan(from, nl - from));
                var memory = Tokenize(Decode(line, ref chars), ref tokens);
                pending.Clear();
                from = nl + 1;
                if (!IsBlank(memory.Span)) yield return memory;
                lineStart = position + from;
                if (lineStart >= end) yield break;
            }
            position += read;
        }
        if (pending.WrittenCount > 0 && lineStart < end)
        {
            var memory = Tokenize(Decode(pending.WrittenSpan, ref chars), ref tokens);
            if (!IsBlank(memory.Span)) yield return memory;
        }
    }

    /// <summary>The token ranges of a line, split on white space.</summary>
    public static TokenEnumerator Tokens(ReadOnlySpan<char> line) => new(line);

    private static long SkipLine(FileStream stream, long from)
    {
        stream.Position = from;
        int b;
        while ((b = stream.ReadByte()) >= 0)
            if (b == '\n') return stream.Position;
        return stream.Position;
    }

    private static ReadOnlySpan<byte> Join(ArrayBufferWriter<byte> pending, ReadOnlySpan<byte> tail)
    {
        if (pending.WrittenCount == 0) return tail;
        pending.Write(tail);
        return pending.WrittenSpan;
    }

    private ReadOnlyMemory<char> Decode(ReadOnlySpan<byte> bytes, ref char[] chars)
    {
        if (chars.Length < bytes.Length) chars = new char[Math.Max(bytes.Length, chars.Length * 2)];
        if (!Utf8.IsValid(bytes)) Interlocked.Add(ref _invalid, CountInvalid(bytes));
        Utf8.ToUtf16(bytes, chars, out _, out int written, replaceInvalidSequences: true);
        return chars.AsMemory(0, written);
    }

    /// <summary>The line's tokens separated by single spaces, in <paramref name="tokens"/> (the line itself without a tokenizer).</summary>
    private ReadOnlyMemory<char> Tokenize(ReadOnlyMemory<char> line, ref char[] tokens)
    {
        if (_tokenizer is null) return line;
        int room = Embeddings.Tokenizer.MaxLength(line.Length);
        if (tokens.Length < room) tokens = new char[Math.Max(room, tokens.Length * 2)];
        return tokens.AsMemory(0, _tokenizer.Tokenize(line.Span, tokens));
    }

    private static long CountInvalid(ReadOnlySpan<byte> bytes)
    {
        long invalid = 0;
        while (!bytes.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(bytes, out _, out int consumed) != OperationStatus.Done) invalid++;
            bytes = bytes[consumed..];
        }
        return invalid;
    }

    private static bool IsBlank(ReadOnlySpan<char> line) => line.IsWhiteSpace();

    public ref struct TokenEnumerator
    {
        private readonly ReadOnlySpan<char> _line;
        private int _next;

        public TokenEnumerator(ReadOnlySpan<char> line) { _line = line; _next = 0; Current = default; }

        public Range Current { get; private set; }
        public readonly TokenEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            int i = _next;
            while (i < _line.Length && char.IsWhiteSpace(_line[i])) i++;
            if (i == _line.Length) { _next = i; return false; }
            int start = i;
            while (i < _line.Length && !char.IsWhiteSpace(_line[i])) i++;
            Current = start..i;
            _next = i;
            return true;
        }
    }
}
