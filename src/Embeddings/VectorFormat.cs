using VecLm.Embeddings.FastText;

namespace VecLm.Embeddings;

/// <summary>
/// The vectors files VecLm reads: word2vec's two formats, Google's binary (default) and text, and a fastText model
/// (<c>.bin</c>), whose dictionary words' vectors are the means of their rows (<see cref="SubwordModel.WordVectors()"/>).
/// </summary>
public enum VectorFormat
{
    Binary,
    Text,
    FastText,
}

public static class VectorFormats
{
    public static VectorFormat Parse(string name) => name.ToLowerInvariant() switch
    {
        "bin" or "binary" => VectorFormat.Binary,
        "text" or "txt" => VectorFormat.Text,
        _ => throw new BadInputException($"unknown vector format '{name}' (expected bin or text)"),
    };

    /// <summary>
    /// A fastText model by its first four bytes (its magic number, which is not UTF-8 text); the word2vec formats by the
    /// bytes after the header line: text files hold only printable characters and white space, binary vectors hold raw
    /// float bytes, which include control bytes.
    /// </summary>
    public static VectorFormat Detect(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> head = stackalloc byte[4096];
        int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..n];
        if (FastTextBinary.HasMagic(head)) return VectorFormat.FastText;
        int newline = head.IndexOf((byte)'\n');
        if (newline < 0) return VectorFormat.Text; // the reader reports the broken header
        foreach (byte b in head[(newline + 1)..])
            if (b < 0x20 && b != '\n' && b != '\r' && b != '\t' && b != ' ') return VectorFormat.Binary;
        return VectorFormat.Text;
    }
}
