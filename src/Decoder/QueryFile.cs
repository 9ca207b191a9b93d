using System.Globalization;
using VecLm.Embeddings;

namespace VecLm.Decoder;

/// <summary>
/// Query vectors in word2vec's text format (a <c>count dim</c> header, then <c>label v1 … vdim</c> per line).
/// Unlike a vocabulary, labels may repeat: they only name the queries in the output. A damaged file (truncated, a
/// header asking for more than the file holds, invalid UTF-8, a value that is not a finite number) is an
/// <see cref="InvalidDataException"/> naming the file and line.
/// </summary>
public sealed record QueryFile(string[] Labels, int Dim, float[] Data)
{
    public int Count => Labels.Length;

    public static QueryFile Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"query file not found: {path}", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        var reader = new Utf8LineReader(stream, path);
        string header = reader.ReadLine() ?? throw new InvalidDataException($"{path}: empty query file");
        var head = header.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (head.Length != 2 || !int.TryParse(head[0], CultureInfo.InvariantCulture, out int count)
            || !int.TryParse(head[1], CultureInfo.InvariantCulture, out int dim) || count < 0 || dim < 1)
            throw new InvalidDataException($"{path}: line 1 must be '<count> <dim>' (word2vec text format, both below 2^31), got '{VectorFile.Excerpt(header)}'");
        // A query line holds at least a one-character label and dim one-character values, each after a separator.
        VectorFile.CheckSize(path, count, dim, minBytesPerWord: 1 + 2L * dim, available: stream.Length - header.Length - 1);
        var labels = new string[count];
        var data = new float[(long)count * dim];
        int i = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            int lineNo = reader.LineNumber;
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (i == count) throw new InvalidDataException($"{path}: more than the {count} queries the header announces");
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != dim + 1)
                throw new InvalidDataException($"{path}: line {lineNo} has {parts.Length - 1} values, the header says {dim}");
            labels[i] = parts[0];
            for (int j = 0; j < dim; j++)
                if (!float.TryParse(parts[j + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out data[(long)i * dim + j])
                    || !float.IsFinite(data[(long)i * dim + j]))
                    throw new InvalidDataException($"{path}: line {lineNo}: '{VectorFile.Excerpt(parts[j + 1])}' is not a finite number");
            i++;
        }
        if (i != count) throw new InvalidDataException($"{path}: truncated: expected {count} queries, found {i}");
        return new QueryFile(labels, dim, data);
    }
}
