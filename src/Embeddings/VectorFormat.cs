using System.Globalization;
using System.Text;
using VecLm.Embeddings.FastText;
using VecLm.Embeddings.Spark;

namespace VecLm.Embeddings;

/// <summary>
/// The vectors VecLm reads: word2vec's two formats, Google's binary (default) and text; a fastText model
/// (<c>.bin</c>), whose dictionary words' vectors are the means of their rows (<see cref="SubwordModel.WordVectors()"/>);
/// GloVe's text (word2vec text without the header line); and a Spark MLlib Word2VecModel folder
/// (<see cref="SparkModel"/>). VecLm writes the first three.
/// </summary>
public enum VectorFormat
{
    Binary,
    Text,
    FastText,
    GloVe,
    Spark,
}

public static class VectorFormats
{
    private const int HeadBytes = 1 << 16;

    public static VectorFormat Parse(string name) => name.ToLowerInvariant() switch
    {
        "bin" or "binary" => VectorFormat.Binary,
        "text" or "txt" => VectorFormat.Text,
        _ => throw new BadInputException($"unknown vector format '{name}' (expected bin or text)"),
    };

    /// <summary>True when <paramref name="path"/> names vectors that may be there: a file, or a folder (Spark's).</summary>
    public static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    /// <summary>
    /// The format of <paramref name="path"/>, from what is there, never from its name: a folder is a Spark model; a
    /// fastText model by its first four bytes (its magic number, which is not UTF-8 text); the word2vec formats by their
    /// <c>count dim</c> header line, binary when the bytes after it hold control bytes (raw floats), text when they are
    /// printable characters and white space; GloVe, when the first line is no such header but a word and numbers.
    /// <para>
    /// The rule: a first line of exactly two integers is a word2vec header; one of a word and one or more numbers is a
    /// GloVe row, even when the word is a number too ("1984 0.1 …", "7 1 2"). The one line that is both, a word that
    /// is an integer and a single integer value ("3 1"), is taken for a header: GloVe writes its values with decimals.
    /// Anything else is word2vec text, whose reader says what is wrong with its header.
    /// </para>
    /// </summary>
    public static VectorFormat Detect(string path)
    {
        if (Directory.Exists(path)) return VectorFormat.Spark;
        using var stream = File.OpenRead(path);
        var buffer = new byte[HeadBytes];
        int n = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        var head = buffer.AsSpan(0, n);
        if (FastTextBinary.HasMagic(head)) return VectorFormat.FastText;
        int newline = head.IndexOf((byte)'\n');
        if (newline >= 0)
            foreach (byte b in head[(newline + 1)..])
                if (b < 0x20 && b != '\n' && b != '\r' && b != '\t' && b != ' ') return VectorFormat.Binary;
        var first = newline < 0 ? head : head[..newline];
        if (first.StartsWith("\uFEFF"u8)) first = first[3..];
        string line = Encoding.UTF8.GetString(first);
        if (Word2VecText.TryParseHeader(line, out _, out _)) return VectorFormat.Text;
        bool complete = newline >= 0 || n < buffer.Length;
        return IsGloVeRow(line, complete) ? VectorFormat.GloVe : VectorFormat.Text;
    }

    /// <summary>
    /// A word, then one or more numbers, separated by spaces or tabs, and no other control character; of a line cut
    /// short by the end of the bytes looked at (<paramref name="complete"/> false), the last field is not judged.
    /// </summary>
    private static bool IsGloVeRow(string line, bool complete)
    {
        line = line.TrimEnd('\r');
        foreach (char c in line)
            if (char.IsControl(c) && c != '\t') return false;
        var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        int numbers = fields.Length - 1 - (complete ? 0 : 1);
        if (numbers < 1) return false;
        for (int i = 1; i <= numbers; i++)
            if (!float.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out _)) return false;
        return true;
    }
}
