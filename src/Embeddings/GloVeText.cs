using System.Buffers;

namespace VecLm.Embeddings;

/// <summary>
/// GloVe's text format (stanfordnlp/GloVe's <c>glove</c> with <c>-write-header 0</c>, as in the published
/// <c>glove.6B</c> … <c>glove.840B</c> files): <c>word v1 … vdim</c> per line, space-separated, no header line, the
/// words most frequent first. Read in two streaming passes over the bytes, as the files run to gigabytes: the first
/// counts the lines and takes the dimension from the first one, so that the table is checked against the memory and
/// allocated once; the second parses the rows as word2vec text's are (<see cref="Word2VecText.ReadRows"/>: strict
/// UTF-8, a line of another length or a value that is not a number is an error naming the line).
/// </summary>
internal static class GloVeText
{
    /// <summary>A first line longer than this is no GloVe line (glove.840B's are about 3 KB).</summary>
    private const int MaxFirstLine = 16 << 20;
    private static readonly SearchValues<byte> Blank = SearchValues.Create(" \t\r"u8);

    public static (string[] Words, int Dim, float[] Data) Read(string path)
    {
        var (rows, firstLine, dim) = Survey(path);
        VectorFile.CheckTable(path, rows, dim);
        var words = new string[rows];
        var data = new float[rows * dim];
        int n;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
            n = Word2VecText.ReadRows(new Utf8LineReader(stream, path), path, words, data, (int)dim,
                $"line {firstLine} has", "more lines than a moment before: the file changed while it was read");
        if (n < rows)   // lines of Unicode white space only, which the count took for rows
        {
            Array.Resize(ref words, n);
            Array.Resize(ref data, n * (int)dim);
        }
        return (words, (int)dim, data);
    }

    /// <summary>
    /// The first pass: the number of lines that are not blank, the number of the first one and its number of values.
    /// </summary>
    private static (long Rows, int FirstLine, long Dim) Survey(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        var buffer = new byte[1 << 20];
        var first = new List<byte>();
        long rows = 0;
        int lineNo = 1, firstLine = 0;
        bool content = false;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            var rest = buffer.AsSpan(0, read);
            while (rest.Length > 0)
            {
                int newline = rest.IndexOf((byte)'\n');
                var part = newline < 0 ? rest : rest[..newline];
                if (!content && part.IndexOfAnyExcept(Blank) >= 0) content = true;
                if (rows == 0 && content)
                {
                    if (first.Count + part.Length > MaxFirstLine)
                        throw new InvalidDataException($"{path}: line {lineNo} is longer than {MaxFirstLine >> 20} MB: not a GloVe file");
                    first.AddRange(part);
                    firstLine = lineNo;
                }
                if (newline < 0) break;
                if (content) rows++;
                content = false;
                lineNo++;
                rest = rest[(newline + 1)..];
            }
        }
        if (content) rows++;
        if (rows == 0) throw new InvalidDataException($"{path}: empty: a GloVe file has a line 'word v1 … vd' per word");
        var line = VectorFile.Decode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(first), path, $"line {firstLine}");
        if (firstLine == 1 && line.StartsWith('\uFEFF')) line = line[1..];
        int fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields < 2)
            throw new InvalidDataException($"{path}: line {firstLine} is '{VectorFile.Excerpt(line)}', not 'word v1 … vd' as GloVe writes");
        return (rows, firstLine, fields - 1);
    }
}
