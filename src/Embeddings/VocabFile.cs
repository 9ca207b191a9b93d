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

    /// <summary>The counts in the order of <paramref name="words"/>, or null if there is no such file.</summary>
    public static long[]? TryRead(string path, string[] words)
    {
        if (!File.Exists(path)) return null;
        var byWord = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            if (line.Length == 0) continue;
            int space = line.LastIndexOf(' ');
            if (space <= 0 || !long.TryParse(line.AsSpan(space + 1), out long count) || count < 0)
                throw new InvalidDataException($"{path}: expected 'word count' per line, found '{line}'");
            byWord[line[..space]] = count;
        }
        var counts = new long[words.Length];
        for (int i = 0; i < words.Length; i++)
            if (!byWord.TryGetValue(words[i], out counts[i]))
                throw new InvalidDataException($"{path}: has no count for '{words[i]}': it belongs to other vectors");
        return counts;
    }
}
