using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace VecLm.Embeddings.FastText;

/// <summary>
/// fastText's <c>.bin</c> (facebookresearch/fastText: <c>FastText::saveModel</c>), little-endian: magic 793712314 and
/// version (12; 11 differs only for supervised models); the <see cref="FastTextArgs"/> (12 int32 and the double
/// <c>t</c>); the dictionary (int32 size, nwords, nlabels; int64 ntokens; int64 pruneidx_size, −1 when never pruned;
/// then per entry its UTF-8 bytes, a 0 byte, an int64 count and an int8 type); a quantised flag and the input matrix
/// (int64 rows = nwords + bucket, int64 columns = dim, float32 row-major); a quantised flag and the output matrix
/// (nwords × dim for cbow and skipgram, whatever the loss). The dictionary's order is kept: word i is row i.
/// Only models of word vectors are read: a supervised, quantised (<c>.ftz</c>) or pruned model is rejected with one
/// line naming the file, as is every kind of damage (<see cref="FastTextInput"/>).
/// </summary>
public static class FastTextBinary
{
    public const int Magic = 793712314;
    public const int Version = 12;
    /// <summary>The version before 12: the same layout; its supervised models had no character n-grams.</summary>
    public const int OldVersion = 11;
    private const int ChunkFloats = 1 << 20;

    /// <summary>True when <paramref name="head"/> (a file's first bytes) starts with fastText's magic number.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> head) => head.Length >= 4 && BinaryPrimitives.ReadInt32LittleEndian(head) == Magic;

    /// <summary>
    /// Reads a fastText <c>.bin</c> of word vectors (cbow or skipgram). Without <paramref name="withOutput"/> the output
    /// matrix is checked and skipped (word vectors need only the input matrix; on <c>cc.en.300.bin</c> that saves 2.4 GB).
    /// A skipgram or cbow model without n-grams (maxn 0) whose header still names buckets (fastText keeps them when
    /// wordNgrams &gt; 1) is read without those unused rows, and its bucket becomes 0.
    /// </summary>
    public static SubwordModel Read(string path, bool withOutput = true)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"fastText model not found: {path}", path);
        using var input = new FastTextInput(path);
        input.ReadSignature();
        var args = input.ReadArgs();
        var (nwords, ntokens) = input.ReadDictionaryHeader(args);
        var (words, counts) = input.ReadEntries(nwords);
        Vocabulary vocabulary;
        try { vocabulary = new Vocabulary(words, counts); }
        catch (InvalidDataException e) { throw input.Error(e.Message); } // a word twice

        long rows = input.ReadInputHeader(args, nwords);
        long used = args.MaxN > 0 ? rows : nwords;
        var matrix = new float[used * args.Dim];
        input.ReadFloats(matrix, "the input matrix");
        input.Skip((rows - used) * args.Dim * sizeof(float), "the input matrix's unused bucket rows");
        if (used != rows) args = args with { Bucket = 0 };

        input.ReadOutputHeader(args, nwords);
        var output = withOutput ? new float[(long)nwords * args.Dim] : Array.Empty<float>();
        if (withOutput) input.ReadFloats(output, "the output matrix");
        else input.Skip((long)nwords * args.Dim * sizeof(float), "the output matrix");
        input.ExpectEnd();
        return new SubwordModel(args, vocabulary, matrix, output, ntokens);
    }

    /// <summary>
    /// Writes <paramref name="model"/> as fastText 0.9.2 does (version 12, never pruned, not quantised), so that
    /// <c>fasttext print-word-vectors</c>, gensim's <c>load_facebook_model</c> and <see cref="Read"/> read it: a model
    /// read by <see cref="Read"/> is written back byte for byte. A model without an output matrix gets one of zeros.
    /// The stream is left open; callers write files through <see cref="AtomicFile"/> (<see cref="SubwordModel.Save"/>).
    /// </summary>
    public static void Write(Stream stream, SubwordModel model)
    {
        var args = model.Args;
        var output = new BufferedStream(stream, 1 << 16);
        Span<byte> header = stackalloc byte[64];
        BinaryPrimitives.WriteInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], Version);
        int[] fields = [args.Dim, args.Ws, args.Epoch, args.MinCount, args.Neg, args.WordNgrams, args.Loss, args.Model,
                        model.Subwords.Enabled ? args.Bucket : 0, args.MinN, args.MaxN, args.LrUpdateRate];
        for (int i = 0; i < fields.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(header[(8 + 4 * i)..], fields[i]);
        BinaryPrimitives.WriteDoubleLittleEndian(header[56..], args.T);
        output.Write(header);

        var vocabulary = model.Vocabulary;
        Span<byte> number = stackalloc byte[8];
        WriteInt32(output, number, vocabulary.Count);   // size
        WriteInt32(output, number, vocabulary.Count);   // nwords
        WriteInt32(output, number, 0);                  // nlabels
        WriteInt64(output, number, model.TokenCount);
        WriteInt64(output, number, -1);                 // pruneidx_size: never pruned
        for (int i = 0; i < vocabulary.Count; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(vocabulary[i]);
            if (bytes.Length == 0 || bytes.Contains((byte)0))
                throw new ArgumentException($"word {i} ('{VectorFile.Excerpt(vocabulary[i])}') is empty or holds a NUL: a fastText dictionary cannot hold it");
            output.Write(bytes);
            output.WriteByte(0);
            WriteInt64(output, number, vocabulary.Counts[i]);
            output.WriteByte(0);                        // type: word
        }

        long rows = model.Input.Length / model.Dim;
        output.WriteByte(0);                            // quant: no
        WriteInt64(output, number, rows);
        WriteInt64(output, number, model.Dim);
        WriteFloats(output, model.Input);
        output.WriteByte(0);                            // qout: no
        WriteInt64(output, number, vocabulary.Count);
        WriteInt64(output, number, model.Dim);
        if (model.Output.Length > 0) WriteFloats(output, model.Output);
        else WriteZeros(output, (long)vocabulary.Count * model.Dim);
        output.Flush();
    }

    private static void WriteInt32(Stream stream, Span<byte> buffer, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(buffer, value);
        stream.Write(buffer[..4]);
    }

    private static void WriteInt64(Stream stream, Span<byte> buffer, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(buffer, value);
        stream.Write(buffer[..8]);
    }

    private static void WriteZeros(Stream stream, long count)
    {
        var zeros = new byte[(int)Math.Min(count, ChunkFloats) * sizeof(float)];
        for (long left = count * sizeof(float); left > 0; left -= zeros.Length) stream.Write(zeros, 0, (int)Math.Min(left, zeros.Length));
    }

    /// <summary>The floats' bytes in chunks, little-endian whatever the machine.</summary>
    private static void WriteFloats(Stream stream, ReadOnlySpan<float> values)
    {
        float[]? swapped = BitConverter.IsLittleEndian ? null : new float[Math.Min(values.Length, ChunkFloats)];
        for (int start = 0; start < values.Length; start += ChunkFloats)
        {
            var chunk = values.Slice(start, Math.Min(ChunkFloats, values.Length - start));
            if (swapped is not null)
            {
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, int>(chunk), MemoryMarshal.Cast<float, int>(swapped.AsSpan()));
                chunk = swapped.AsSpan(0, chunk.Length);
            }
            stream.Write(MemoryMarshal.AsBytes(chunk));
        }
    }
}
