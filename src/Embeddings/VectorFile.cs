using System.Text;

namespace VecLm.Embeddings;

/// <summary>
/// Checks shared by the readers of VecLm's input files (vectors, counts, queries): a header's sizes against the
/// file's length before anything is allocated, strict UTF-8, and short excerpts of bad values for messages. Every
/// problem is an <see cref="InvalidDataException"/> whose one-line message starts with the file's path.
/// </summary>
public static class VectorFile
{
    /// <summary>UTF-8 that throws on invalid bytes (a damaged file), without a byte-order mark.</summary>
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Throws unless <paramref name="count"/> rows of <paramref name="dim"/> values, each row taking at least
    /// <paramref name="minBytesPerWord"/> bytes, can be in the <paramref name="available"/> bytes left, and fit one
    /// array: a damaged header never makes a reader allocate more than the file could hold.
    /// </summary>
    public static void CheckSize(string path, long count, long dim, long minBytesPerWord, long available)
    {
        if (count * dim > Array.MaxLength)
            throw new InvalidDataException($"{path}: damaged header: {count} × {dim} values are more than one array holds");
        if (count * minBytesPerWord > available)
            throw new InvalidDataException($"{path}: truncated or damaged header: {count} rows of dimension {dim} need at "
                                           + $"least {count * minBytesPerWord:N0} bytes, the file has {Math.Max(available, 0):N0} after its header");
        CheckTable(path, count, dim);
    }

    /// <summary>
    /// Throws unless a table of <paramref name="count"/> × <paramref name="dim"/> floats fits one array and the memory
    /// available now: for the files that state no sizes to check against their length (GloVe, Spark's Parquet).
    /// </summary>
    public static void CheckTable(string path, long count, long dim)
    {
        if (count * dim > Array.MaxLength)
            throw new InvalidDataException($"{path}: {count:N0} vectors of dimension {dim} are more values than one array holds");
        // The table, and about 64 bytes a word for its string and the vocabulary's entry.
        SystemMemory.Check(count * dim * sizeof(float) + count * 64, $"{path}: {count:N0} vectors of dimension {dim}");
    }

    /// <summary>Decodes strict UTF-8; <paramref name="where"/> names the place in the file for the message.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string path, string where)
    {
        try { return StrictUtf8.GetString(bytes); }
        catch (DecoderFallbackException) { throw NotUtf8(path, where); }
    }

    public static InvalidDataException NotUtf8(string path, string where) => new($"{path}: {where} is not valid UTF-8 (a damaged file?)");

    /// <summary>At most 40 characters of <paramref name="text"/>, on one line (<see cref="OneLine"/>).</summary>
    public static string Excerpt(string text) => OneLine(text.Length > 40 ? text[..40] + "…" : text);

    /// <summary><paramref name="text"/> with control characters and line separators shown as '?'.</summary>
    public static string OneLine(string text) => string.Create(text.Length, text, (span, s) =>
    {
        for (int i = 0; i < s.Length; i++) span[i] = char.IsControl(s[i]) || s[i] is '\u2028' or '\u2029' or '\u0085' ? '?' : s[i];
    });
}
