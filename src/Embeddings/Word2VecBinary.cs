using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace VecLm.Embeddings;

/// <summary>
/// Google word2vec's binary format: a text header <c>count dim\n</c>, then per word its UTF-8 bytes, a space and
/// <c>dim</c> little-endian float32s. word2vec C writes a newline after each vector, gensim does not; the reader takes
/// both, the writer follows word2vec C.
/// </summary>
internal static class Word2VecBinary
{
    /// <summary>Google's word2vec keeps words under 100 bytes; longer "words" mean a damaged file.</summary>
    private const int MaxWordBytes = 4096;

    public static (string[] Words, int Dim, float[] Data) Read(string path)
    {
        using var stream = new BufferedStream(File.OpenRead(path), 1 << 16);
        var (count, dim) = Word2VecText.ReadHeader(stream, path);
        // Each word takes at least one byte, a space and dim floats.
        VectorFile.CheckSize(path, count, dim, minBytesPerWord: 2 + 4L * dim, available: stream.Length - stream.Position);
        var words = new string[count];
        var data = new float[(long)count * dim];
        var word = new List<byte>(64);
        var bytes = new byte[dim * sizeof(float)];
        for (int i = 0; i < count; i++)
        {
            word.Clear();
            int b;
            while ((b = stream.ReadByte()) == '\n' || (word.Count == 0 && b == ' ')) { }
            while (b >= 0 && b != ' ')
            {
                if (word.Count == MaxWordBytes)
                    throw new InvalidDataException($"{path}: word {i + 1} of {count} is longer than {MaxWordBytes} bytes (a damaged file, or not word2vec binary)");
                word.Add((byte)b);
                b = stream.ReadByte();
            }
            if (b < 0 || word.Count == 0)
                throw new InvalidDataException($"{path}: truncated: expected {count} words, found {i}");
            words[i] = VectorFile.Decode(CollectionsMarshal.AsSpan(word), path, $"word {i + 1}");
            if (stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) != bytes.Length)
                throw new InvalidDataException($"{path}: truncated in the vector of word {i + 1} of {count} ('{VectorFile.Excerpt(words[i])}')");
            var row = data.AsSpan(i * dim, dim);
            for (int j = 0; j < dim; j++) row[j] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(j * 4));
        }
        // Only white space may follow the last vector; more words mean the header's count is wrong.
        int rest;
        while ((rest = stream.ReadByte()) >= 0)
            if (rest != '\n' && rest != ' ' && rest != '\r')
                throw new InvalidDataException($"{path}: more data after the {count} words the header announces (wrong count or dimension?)");
        return (words, dim, data);
    }

    public static void Write(Stream stream, WordVectors vectors)
    {
        using var buffered = new BufferedStream(stream, 1 << 16);
        buffered.Write(Encoding.ASCII.GetBytes($"{vectors.Count} {vectors.Dim}\n"));
        var bytes = new byte[vectors.Dim * sizeof(float)];
        for (int i = 0; i < vectors.Count; i++)
        {
            buffered.Write(Encoding.UTF8.GetBytes(vectors.Vocabulary[i]));
            buffered.WriteByte((byte)' ');
            var row = vectors[i];
            for (int j = 0; j < row.Length; j++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(j * 4), row[j]);
            buffered.Write(bytes);
            buffered.WriteByte((byte)'\n');
        }
    }
}
