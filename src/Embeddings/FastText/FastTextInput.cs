using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace VecLm.Embeddings.FastText;

/// <summary>
/// The checks of <see cref="FastTextBinary.Read"/>, part by part: every value is read through a method that turns the
/// end of the file into "truncated in …", every size is checked against the header and against the bytes left
/// before anything is allocated, words are strict UTF-8. Each problem is an <see cref="InvalidDataException"/> with a
/// one-line message starting with the file's path.
/// </summary>
internal sealed class FastTextInput : IDisposable
{
    /// <summary>fastText sets no limit, but a 64 KiB "word" means a damaged file (a lost 0 byte).</summary>
    private const int MaxWordBytes = 1 << 16;
    /// <summary>Matrices are read 4 MB at a time, straight into the float array.</summary>
    private const int ChunkFloats = 1 << 20;
    /// <summary>A dictionary entry's least size: an empty word's 0 byte, the count, the type.</summary>
    private const int MinEntryBytes = 1 + 8 + 1;
    /// <summary>A matrix's least size without its values: the quantised flag, rows and columns.</summary>
    private const int MatrixHeaderBytes = 1 + 8 + 8;

    private readonly string _path;
    private readonly Stream _stream;
    private readonly long _length;
    private readonly byte[] _number = new byte[8];

    public FastTextInput(string path)
    {
        _path = path;
        _stream = new BufferedStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1), 1 << 16);
        _length = _stream.Length;
    }

    private long Remaining => _length - _stream.Position;

    /// <summary>A one-line <see cref="InvalidDataException"/> about this file.</summary>
    public InvalidDataException Error(string message) => new($"{_path}: {VectorFile.OneLine(message)}");

    private InvalidDataException Truncated(string what) =>
        Error($"truncated in {what} (the file ends at byte {_length:N0})");

    public void ReadSignature()
    {
        if (_length < 4 || Int32("the magic number") != FastTextBinary.Magic)
            throw Error($"not a fastText .bin (it does not start with fastText's magic number {FastTextBinary.Magic})");
        int version = Int32("the version");
        if (version is not (FastTextBinary.Version or FastTextBinary.OldVersion))
            throw Error($"fastText file format version {version} is not supported (VecLm reads versions "
                        + $"{FastTextBinary.OldVersion} and {FastTextBinary.Version})");
    }

    /// <summary>The 12 int32 settings and <c>t</c>; only a cbow or skipgram model with usable n-gram settings passes.</summary>
    public FastTextArgs ReadArgs()
    {
        var v = new int[12];
        for (int i = 0; i < v.Length; i++) v[i] = Int32("the header's settings");
        double t = BinaryPrimitives.ReadDoubleLittleEndian(Bytes(8, "the header's settings"));
        var a = new FastTextArgs
        {
            Dim = v[0], Ws = v[1], Epoch = v[2], MinCount = v[3], Neg = v[4], WordNgrams = v[5], Loss = v[6], Model = v[7],
            Bucket = v[8], MinN = v[9], MaxN = v[10], LrUpdateRate = v[11], T = t,
        };
        if (a.Model == FastTextArgs.ModelSupervised)
            throw Error("a supervised (classification) model, not word vectors (fastText model 'sup'; VecLm reads cbow and skipgram models)");
        if (a.Model is not (FastTextArgs.ModelCbow or FastTextArgs.ModelSkipGram))
            throw Error($"damaged header: unknown model {a.Model} (fastText's are cbow 1, skipgram 2, supervised 3)");
        if (a.Loss is < FastTextArgs.LossHierarchicalSoftmax or > FastTextArgs.LossOneVsAll)
            throw Error($"damaged header: unknown loss {a.Loss} (fastText's are hs 1, ns 2, softmax 3, ova 4)");
        if (a.Dim < 1) throw Error($"damaged header: dimension {a.Dim}");
        if (a.Bucket < 0 || a.MinN < 0 || a.MaxN < 0)
            throw Error($"damaged header: bucket {a.Bucket}, minn {a.MinN}, maxn {a.MaxN} (none may be negative)");
        if (a.MaxN > 0 && (a.MinN < 1 || a.MinN > a.MaxN))
            throw Error($"unsupported n-gram lengths: minn {a.MinN}, maxn {a.MaxN} (VecLm reads 1 ≤ minn ≤ maxn, or maxn 0 for none)");
        if (a.MaxN > 0 && a.Bucket == 0)
            throw Error($"damaged header: n-grams of {a.MinN} to {a.MaxN} characters but no buckets to hash them into");
        return a;
    }

    /// <summary>
    /// size, nwords, nlabels, ntokens and pruneidx_size: a dictionary of words only, never pruned, whose words and
    /// matrices can fit in the bytes left and whose input matrix fits one array. Returns nwords and ntokens.
    /// </summary>
    public (int Words, long Tokens) ReadDictionaryHeader(FastTextArgs args)
    {
        const string where = "the dictionary's header";
        int size = Int32(where), nwords = Int32(where), nlabels = Int32(where);
        long ntokens = Int64(where), pruned = Int64(where);
        if (size < 0 || nwords < 0 || nlabels < 0 || (long)nwords + nlabels != size)
            throw Error($"damaged dictionary header: {size} entries, {nwords} words and {nlabels} labels");
        if (nlabels > 0)
            throw Error($"its dictionary holds {nlabels} labels: a supervised (classification) model, not word vectors");
        if (nwords == 0) throw Error("damaged dictionary header: no words");
        if (ntokens < 0) throw Error($"damaged dictionary header: {ntokens} tokens");
        if (pruned >= 0) throw Error("a pruned model (fastText quantize -cutoff): not supported; use the unpruned .bin");
        if (pruned != -1) throw Error($"damaged dictionary header: pruning table size {pruned}");

        Int128 rows = (Int128)nwords + args.Bucket, held = args.MaxN > 0 ? rows : nwords;
        if (held * args.Dim > Array.MaxLength || (Int128)nwords * args.Dim > Array.MaxLength)
            throw Error($"damaged header: {held:N0} rows of dimension {args.Dim:N0} are more than one array holds");
        Int128 need = (Int128)size * MinEntryBytes + 2 * MatrixHeaderBytes + (rows + nwords) * args.Dim * sizeof(float);
        if (need > Remaining)
            throw Error($"truncated or damaged header: {nwords:N0} words, {args.Bucket:N0} buckets and dimension {args.Dim:N0} "
                        + $"need at least {need:N0} bytes after the header, the file has {Remaining:N0}");
        return (nwords, ntokens);
    }

    /// <summary>The entries: non-empty strict UTF-8 words, counts of 0 or more summing below 2^63, type word.</summary>
    public (string[] Words, long[] Counts) ReadEntries(int nwords)
    {
        var words = new string[nwords];
        var counts = new long[nwords];
        var bytes = new byte[MaxWordBytes];
        long total = 0;
        for (int i = 0; i < nwords; i++)
        {
            int length = 0, b;
            while ((b = _stream.ReadByte()) != 0)
            {
                if (b < 0) throw Truncated($"word {i + 1} of {nwords:N0}");
                if (length == MaxWordBytes)
                    throw Error($"word {i + 1} of {nwords:N0} is longer than {MaxWordBytes:N0} bytes (a damaged file)");
                bytes[length++] = (byte)b;
            }
            if (length == 0) throw Error($"word {i + 1} of {nwords:N0} is empty (a damaged file)");
            try { words[i] = VectorFile.StrictUtf8.GetString(bytes, 0, length); }
            catch (DecoderFallbackException) { throw VectorFile.NotUtf8(_path, $"word {i + 1}"); }
            // Messages name the word; they are made only when needed (cc.en.300.bin has 2 million words).
            if (!TryBytes(8)) throw Truncated($"the count of {Name(i)}");
            counts[i] = BinaryPrimitives.ReadInt64LittleEndian(_number);
            if (counts[i] < 0) throw Error($"damaged dictionary: {Name(i)} has the count {counts[i]}");
            if ((total += counts[i]) < 0) throw Error("damaged dictionary: the counts add up to more than 2^63");
            int type = _stream.ReadByte();
            if (type < 0) throw Truncated($"the type of {Name(i)}");
            if (type != 0) throw Error($"damaged dictionary: {Name(i)} has type {type}; the header says it holds words (type 0) only");
        }
        return (words, counts);

        string Name(int i) => $"word {i + 1} ('{VectorFile.Excerpt(words[i])}')";
    }

    /// <summary>The input matrix's flag and size: unquantised, nwords + bucket rows of dim columns. Returns the rows.</summary>
    public long ReadInputHeader(FastTextArgs args, int nwords)
    {
        int quantised = Byte("the input matrix's header");
        if (quantised == 1) throw Error("a quantised model (.ftz, product-quantised: not supported; use the .bin)");
        if (quantised != 0) throw Error($"damaged: the input matrix's quantisation flag is {quantised}");
        long m = Int64("the input matrix's header"), n = Int64("the input matrix's header");
        long rows = (long)nwords + args.Bucket;
        if (m != rows || n != args.Dim)
            throw Error($"the input matrix is {m:N0} × {n:N0}, the header says {nwords:N0} words + {args.Bucket:N0} buckets "
                        + $"= {rows:N0} rows of dimension {args.Dim:N0}");
        Int128 need = (Int128)m * n * sizeof(float) + MatrixHeaderBytes + (Int128)nwords * n * sizeof(float);
        if (need > Remaining)
            throw Error($"truncated: the matrices need {need:N0} bytes after the dictionary, the file has {Remaining:N0}");
        return m;
    }

    /// <summary>The output matrix's flag and size: unquantised, nwords × dim, and exactly its values left in the file.</summary>
    public void ReadOutputHeader(FastTextArgs args, int nwords)
    {
        int quantised = Byte("the output matrix's header");
        if (quantised == 1) throw Error("a quantised output matrix (-qout, .ftz): not supported; use the .bin");
        if (quantised != 0) throw Error($"damaged: the output matrix's quantisation flag is {quantised}");
        long m = Int64("the output matrix's header"), n = Int64("the output matrix's header");
        if (m != nwords || n != args.Dim)
            throw Error($"the output matrix is {m:N0} × {n:N0}, expected {nwords:N0} words × dimension {args.Dim:N0}");
        long need = m * n * sizeof(float);
        if (need > Remaining)
            throw Error($"truncated: the output matrix needs {need:N0} bytes, the file has {Remaining:N0}");
        if (need < Remaining)
            throw Error($"{Remaining - need:N0} bytes more than the header announces after the output matrix (a damaged file?)");
    }

    /// <summary>Fills <paramref name="into"/> with little-endian floats, in chunks, without a copy.</summary>
    public void ReadFloats(float[] into, string what)
    {
        for (int start = 0; start < into.Length; start += ChunkFloats)
        {
            var chunk = into.AsSpan(start, Math.Min(ChunkFloats, into.Length - start));
            var bytes = MemoryMarshal.AsBytes(chunk);
            if (_stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) != bytes.Length) throw Truncated(what);
            if (!BitConverter.IsLittleEndian)
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, int>(chunk), MemoryMarshal.Cast<float, int>(chunk));
        }
    }

    public void Skip(long bytes, string what)
    {
        if (bytes > Remaining) throw Truncated(what);
        _stream.Seek(bytes, SeekOrigin.Current);
    }

    public void ExpectEnd()
    {
        if (Remaining != 0) throw Error($"{Remaining:N0} bytes after the output matrix (a damaged file?)");
    }

    private bool TryBytes(int count) => _stream.ReadAtLeast(_number.AsSpan(0, count), count, throwOnEndOfStream: false) == count;

    private ReadOnlySpan<byte> Bytes(int count, string what) => TryBytes(count) ? _number.AsSpan(0, count) : throw Truncated(what);

    private int Int32(string what) => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4, what));

    private long Int64(string what) => BinaryPrimitives.ReadInt64LittleEndian(Bytes(8, what));

    private int Byte(string what)
    {
        int b = _stream.ReadByte();
        return b >= 0 ? b : throw Truncated(what);
    }

    public void Dispose() => _stream.Dispose();
}
