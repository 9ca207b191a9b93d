using System.Globalization;
using System.Text;

namespace VecLm.Embeddings;

/// <summary>word2vec's text format: a header <c>count dim</c>, then <c>word v1 … vdim</c> per line.</summary>
internal static class Word2VecText
{
    public static (string[] Words, int Dim, float[] Data) Read(string path)
    {
        using var stream = new BufferedStream(File.OpenRead(path), 1 << 16);
        var (count, dim) = ReadHeader(stream, path);
        // Each line holds at least a one-character word and dim values of one character, each after a separator.
        VectorFile.CheckSize(path, count, dim, minBytesPerWord: 1 + 2L * dim, available: stream.Length - stream.Position + 1);
        var reader = new Utf8LineReader(stream, path, linesBefore: 1);
        var words = new string[count];
        var data = new float[(long)count * dim];
        int i = ReadRows(reader, path, words, data, dim, "the header says",
            $"more lines than the {count} words the header announces");
        if (i != count) throw new InvalidDataException($"{path}: truncated: expected {count} words, found {i}");
        return (words, dim, data);
    }

    /// <summary>
    /// Reads lines <c>word v1 … vdim</c> (blank lines skipped) into <paramref name="words"/> and <paramref name="data"/>
    /// until the end of <paramref name="reader"/>; returns how many. A line with another number of values (the
    /// message says what <paramref name="dimFrom"/>, as "the header says"), a value that is not a number, or more
    /// lines than <paramref name="words"/> holds (<paramref name="tooMany"/>) is an <see cref="InvalidDataException"/>
    /// naming the line. Shared by the word2vec and GloVe text readers.
    /// </summary>
    public static int ReadRows(Utf8LineReader reader, string path, string[] words, float[] data, int dim, string dimFrom, string tooMany)
    {
        int i = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            int lineNo = reader.LineNumber;
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (i == words.Length) throw new InvalidDataException($"{path}: {tooMany}");
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != dim + 1)
                throw new InvalidDataException($"{path}: line {lineNo} has {parts.Length - 1} values, {dimFrom} {dim}"
                    + (parts.Length > dim + 1 ? $" (a word with a space in it? `awk 'NF == {dim + 1}'` keeps the other lines)" : ""));
            words[i] = parts[0];
            var row = data.AsSpan(i * dim, dim);
            for (int j = 0; j < dim; j++)
                if (!float.TryParse(parts[j + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out row[j]))
                    throw new InvalidDataException($"{path}: line {lineNo}: '{VectorFile.Excerpt(parts[j + 1])}' is not a number");
            i++;
        }
        return i;
    }

    public static void Write(Stream stream, WordVectors vectors)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        writer.WriteLine($"{vectors.Count} {vectors.Dim}");
        var line = new StringBuilder();
        for (int i = 0; i < vectors.Count; i++)
        {
            line.Clear().Append(vectors.Vocabulary[i]);
            foreach (float v in vectors[i]) line.Append(' ').Append(v.ToString("R", CultureInfo.InvariantCulture));
            writer.WriteLine(line);
        }
    }

    /// <summary>
    /// Reads the <c>count dim</c> line byte by byte, leaving the stream just after it. Both must be positive and fit an
    /// int; whether the file is long enough for them is the reader's check (<see cref="VectorFile.CheckSize"/>).
    /// </summary>
    public static (int Count, int Dim) ReadHeader(Stream stream, string path)
    {
        var header = new StringBuilder();
        int b;
        while ((b = stream.ReadByte()) >= 0 && b != '\n')
        {
            header.Append((char)b);
            if (header.Length > 64) break;
        }
        if (!TryParseHeader(header.ToString(), out long count, out long dim))
            throw new InvalidDataException($"{path}: not a word2vec file (the first line must be '<count> <dim>')");
        if (count < 1 || dim < 1 || count > int.MaxValue || dim > int.MaxValue)
            throw new InvalidDataException($"{path}: damaged header: {count} words of dimension {dim} (both must be positive and below 2^31)");
        return ((int)count, (int)dim);
    }

    /// <summary>True when <paramref name="line"/> is exactly two integers (of any size or sign): a word2vec header.</summary>
    public static bool TryParseHeader(string line, out long count, out long dim)
    {
        count = dim = 0;
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 2 && long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out count)
               && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out dim);
    }
}
