using VecLm.Embeddings.FastText;
using VecLm.Embeddings.Spark;

namespace VecLm.Embeddings;

/// <summary>
/// A vector for every word of a <see cref="Embeddings.Vocabulary"/>, stored row-major in one array
/// (<c>Data[id * Dim .. (id + 1) * Dim]</c>). Read and written in the word2vec binary and text formats; the word
/// counts live beside the vectors in a <c>.vocab</c> file (<c>word count</c> per line, as word2vec's -save-vocab),
/// and, for vectors made from raw text, how it was tokenised in a <c>.tokenizer.json</c> file (<see cref="TokenizerFile"/>).
/// A fastText <c>.bin</c> is read too (its dictionary words with their counts and vectors), and GloVe's text and a Spark
/// Word2VecModel folder, which keep no counts (<see cref="VectorFormat"/>).
/// </summary>
public sealed class WordVectors
{
    public WordVectors(Vocabulary vocabulary, int dim, float[] data, bool hasCounts = true)
    {
        if (dim <= 0) throw new ArgumentOutOfRangeException(nameof(dim), "dimension must be positive");
        if (data.Length != (long)vocabulary.Count * dim)
            throw new ArgumentException($"{data.Length} values for {vocabulary.Count} words of dimension {dim}");
        Vocabulary = vocabulary;
        Dim = dim;
        Data = data;
        HasCounts = hasCounts;
    }

    public Vocabulary Vocabulary { get; }
    public int Dim { get; }
    public int Count => Vocabulary.Count;
    public float[] Data { get; }
    /// <summary>False when the counts were not stored with the vectors and are the rank-based stand-ins gensim uses.</summary>
    public bool HasCounts { get; }
    /// <summary>How the text the vectors were made from was tokenised (<c>embed --tokenize</c>); null: pre-tokenised, or unknown.</summary>
    public TokenizerOptions? Tokenizer { get; init; }

    public ReadOnlySpan<float> this[int id] => Data.AsSpan(id * Dim, Dim);
    public ReadOnlySpan<float> this[string word] =>
        Vocabulary.TryGetId(word, out int id) ? this[id] : throw new KeyNotFoundException($"'{word}' is not in the vocabulary");

    /// <summary>The counts beside vectors: <c>v.bin</c> → <c>v.vocab</c>; beside a (Spark) folder <c>model</c>, <c>model.vocab</c>.</summary>
    public static string VocabPathFor(string vectorsPath) => Directory.Exists(vectorsPath)
        ? Path.TrimEndingDirectorySeparator(vectorsPath) + ".vocab"
        : Path.ChangeExtension(vectorsPath, ".vocab");
    public static string TokenizerPathFor(string vectorsPath) => TokenizerFile.PathFor(vectorsPath);

    /// <summary>The tokenizer recorded beside <paramref name="vectorsPath"/>, read without the vectors (not checked against them).</summary>
    public static TokenizerOptions? TokenizerOf(string vectorsPath) => TokenizerFile.Read(TokenizerPathFor(vectorsPath));

    /// <summary>
    /// Loads any <see cref="VectorFormat"/> (detected from the bytes, or a folder as Spark's), with the counts from the
    /// <c>.vocab</c> file if present (a fastText <c>.bin</c> holds its own counts, and only its input matrix is read), and
    /// the tokenizer from the <c>.tokenizer.json</c> if present (checked to belong to these words). A damaged
    /// file — truncated, a header that disagrees with the body or asks for more than the file holds, invalid UTF-8, a
    /// word twice, a value that is not a number — is an <see cref="InvalidDataException"/> naming the file. NaN and
    /// infinite values are loaded as they are (gensim loads them too, and training reports the NaN loss they cause);
    /// <see cref="NonFiniteIds"/> finds them, for a warning.
    /// </summary>
    public static WordVectors Load(string path, VectorFormat? format = null)
    {
        if (!VectorFormats.Exists(path)) throw new FileNotFoundException($"vectors file not found: {path}", path);
        var kind = format ?? VectorFormats.Detect(path);
        if (kind == VectorFormat.FastText)
        {
            var model = FastTextBinary.Read(path, withOutput: false).WordVectors();
            return new WordVectors(model.Vocabulary, model.Dim, model.Data, model.HasCounts)
            {
                Tokenizer = TokenizerFile.Read(TokenizerPathFor(path), model.Vocabulary),
            };
        }
        var (words, dim, data) = kind switch
        {
            VectorFormat.Binary => Word2VecBinary.Read(path),
            VectorFormat.GloVe => GloVeText.Read(path),
            VectorFormat.Spark => SparkModel.Read(path),
            _ => Word2VecText.Read(path),
        };
        var counts = VocabFile.TryRead(VocabPathFor(path), words);
        // Spark's rows have no order; with counts, most frequent first as in the other formats.
        if (kind == VectorFormat.Spark && counts is not null) SparkModel.SortByCount(words, counts, data, dim);
        // Without counts, gensim's stand-in: the files list words most frequent first, so count = rank from the end.
        var values = counts ?? Enumerable.Range(0, words.Length).Select(i => (long)(words.Length - i)).ToArray();
        Vocabulary vocabulary;
        try { vocabulary = new Vocabulary(words, values); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: {VectorFile.OneLine(e.Message)}", e); } // a word twice
        return new WordVectors(vocabulary, dim, data, counts is not null)
        {
            Tokenizer = TokenizerFile.Read(TokenizerPathFor(path), vocabulary),
        };
    }

    /// <summary>
    /// Writes the vectors and the <c>.vocab</c> file: both go to temporary files first and are renamed only when both
    /// are complete, so a full disk leaves the old pair as it was. As <see cref="VectorFormat.FastText"/>: a word-level
    /// fastText model (<see cref="SubwordModel.WordLevel"/>), which holds the counts itself, alone. The
    /// <see cref="Tokenizer"/>, if any, goes with them to a <c>.tokenizer.json</c>; without one, such a file left by
    /// vectors saved there before is removed.
    /// </summary>
    public void Save(string path, VectorFormat format = VectorFormat.Binary)
    {
        if (format is not (VectorFormat.Binary or VectorFormat.Text or VectorFormat.FastText))
            throw new ArgumentException($"VecLm reads {format} vectors but writes word2vec's formats and fastText's", nameof(format));
        var files = new List<(string, Action<Stream>)>();
        if (format == VectorFormat.FastText)
            files.Add((path, stream => FastTextBinary.Write(stream, SubwordModel.WordLevel(this))));
        else
        {
            files.Add((path, stream =>
            {
                if (format == VectorFormat.Binary) Word2VecBinary.Write(stream, this);
                else Word2VecText.Write(stream, this);
            }));
            files.Add((VocabPathFor(path), stream => VocabFile.Write(stream, Vocabulary)));
        }
        WriteWithTokenizer(path, Tokenizer, Vocabulary, files);
    }

    /// <summary>
    /// Writes <paramref name="files"/> and the tokenizer file of <paramref name="path"/> together
    /// (<see cref="AtomicFile.WriteAll"/>), or, without a tokenizer, removes a tokenizer file left there before.
    /// </summary>
    internal static void WriteWithTokenizer(string path, TokenizerOptions? tokenizer, Vocabulary vocabulary,
                                            List<(string, Action<Stream>)> files)
    {
        string tokenizerPath = TokenizerPathFor(path);
        if (tokenizer is not null) files.Add((tokenizerPath, stream => TokenizerFile.Write(stream, tokenizer, vocabulary)));
        AtomicFile.WriteAll([.. files]);
        if (tokenizer is null && File.Exists(tokenizerPath)) File.Delete(tokenizerPath);
    }

    /// <summary>The ids of the words whose vectors hold a NaN or an infinity (a damaged file, usually), in id order.</summary>
    public int[] NonFiniteIds()
    {
        var ids = new List<int>();
        for (int i = 0; i < Count; i++)
            foreach (float v in this[i])
                if (!float.IsFinite(v))
                {
                    ids.Add(i);
                    break;
                }
        return ids.ToArray();
    }

    /// <summary>A copy whose rows all have unit length (zero rows stay zero).</summary>
    public WordVectors Normalized()
    {
        var data = (float[])Data.Clone();
        for (int i = 0; i < Count; i++) VectorMath.Normalize(data.AsSpan(i * Dim, Dim));
        return new WordVectors(Vocabulary, Dim, data, HasCounts) { Tokenizer = Tokenizer };
    }
}
