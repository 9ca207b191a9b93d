using System.Globalization;
using System.Text;

namespace VecLm.Embeddings;

/// <summary>The <c>.vocab</c> file beside a vectors file: <c>word count</c> per line, as word2vec's -save-vocab.</summary>
internal static class VocabFile
{
    public static void Write(Stream stream, Vocabulary vocabulary)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        for (int i = 0; i < vocabulary.Count; i++) writer.WriteLine($"{vocabulary[i]} {vocabulary.Counts[i]}");
    }

    /// <summary>
    /// The counts in the order of <paramref name="words"/>, or null if there is no such file. Every line is
    /// <c>word count</c> with a count of 0 or more, each word once, all counts summing below 2^63, and every word of
    /// the vectors present; anything else (a damaged file, invalid UTF-8, another vocabulary's counts) is an
    /// <see cref="InvalidDataException"/>.
    /// </summary>
    public static long[]? TryRead(string path, string[] words)
    {
        if (!File.Exists(path)) return null;
        var byWord = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        var reader = new Utf8LineReader(stream, path);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            int lineNo = reader.LineNumber;
            if (line.Length == 0) continue;
            int space = line.LastIndexOf(' ');
            if (space <= 0 || !long.TryParse(line.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long count))
                throw new InvalidDataException($"{path}: line {lineNo}: expected 'word count', found '{VectorFile.Excerpt(line)}'");
            if (!byWord.TryAdd(line[..space], count))
                throw new InvalidDataException($"{path}: line {lineNo}: '{VectorFile.Excerpt(line[..space])}' is counted twice");
            if ((total += count) < 0)
                throw new InvalidDataException($"{path}: line {lineNo}: the counts add up to more than 2^63 (a damaged file?)");
        }
        var counts = new long[words.Length];
        for (int i = 0; i < words.Length; i++)
            if (!byWord.TryGetValue(words[i], out counts[i]))
                throw new InvalidDataException($"{path}: has no count for '{VectorFile.Excerpt(words[i])}': it belongs to other vectors");
        return counts;
    }
}
