using System.Numerics.Tensors;

namespace VecLm.Embeddings.FastText;

/// <summary>
/// A fastText model for word vectors: the dictionary (words with their counts), the input matrix of
/// <c>nwords + buckets</c> rows (a row per word, then a row per n-gram bucket) and the output matrix (a row per word).
/// A word's vector is the mean of its own row, if it has one, and its n-gram rows (<see cref="Subwords"/>), so any
/// string has a vector: <see cref="Vector(string)"/>. Read and written as fastText's <c>.bin</c> by
/// <see cref="FastTextBinary"/>.
/// </summary>
public sealed class SubwordModel
{
    private readonly int[][] _rows;

    /// <param name="tokenCount">
    /// fastText's <c>ntokens</c>: every token of the training corpus, words under minCount included, so it may exceed the
    /// sum of the counts; the sum when not given.
    /// </param>
    public SubwordModel(FastTextArgs args, Vocabulary vocabulary, float[] input, float[] output, long? tokenCount = null)
    {
        int buckets = args.MaxN > 0 ? args.Bucket : 0;
        long rows = (long)vocabulary.Count + buckets;
        if (input.Length != rows * args.Dim)
            throw new ArgumentException($"an input matrix of {input.Length} values for {rows} rows of dimension {args.Dim}");
        if (output.Length != 0 && output.Length != (long)vocabulary.Count * args.Dim)
            throw new ArgumentException($"an output matrix of {output.Length} values for {vocabulary.Count} words of dimension {args.Dim}");
        Args = args;
        Vocabulary = vocabulary;
        Input = input;
        Output = output;
        TokenCount = tokenCount ?? vocabulary.TotalCount;
        Subwords = args.Subwords();
        _rows = new int[vocabulary.Count][];
        var list = new List<int>();
        for (int id = 0; id < vocabulary.Count; id++) _rows[id] = RowsOf(vocabulary[id], id, list);
    }

    public FastTextArgs Args { get; }
    public Vocabulary Vocabulary { get; }
    public Subwords Subwords { get; }
    public int Dim => Args.Dim;
    public int WordCount => Vocabulary.Count;
    /// <summary>(words + buckets) × dim, row-major.</summary>
    public float[] Input { get; }
    /// <summary>words × dim, row-major (empty when a reader had no use for it).</summary>
    public float[] Output { get; }
    /// <summary>fastText's <c>ntokens</c>: the tokens of the training corpus (its learning-rate schedule and subsampling use it).</summary>
    public long TokenCount { get; }
    /// <summary>How the training text was tokenised (<c>embed --subword --tokenize</c>); null: pre-tokenised, or unknown.</summary>
    public TokenizerOptions? Tokenizer { get; init; }

    /// <summary>The input rows whose mean is word <paramref name="id"/>'s vector: its own row, then its n-grams'.</summary>
    public ReadOnlySpan<int> Rows(int id) => _rows[id];

    /// <summary>The input rows of any string: the word's own row if it is in the dictionary, then its n-grams' rows.</summary>
    public int[] Rows(string word) =>
        Vocabulary.TryGetId(word, out int id) ? _rows[id] : RowsOf(word, -1, new List<int>());

    public bool Contains(string word) => Vocabulary.Contains(word);

    /// <summary>The vector of any string (fastText's <c>getWordVector</c>); zero when it has no row at all.</summary>
    public float[] Vector(string word)
    {
        var vector = new float[Dim];
        Mean(Rows(word), vector);
        return vector;
    }

    /// <summary>Writes the mean of the input rows <paramref name="rows"/> into <paramref name="into"/> (zero if none).</summary>
    public void Mean(ReadOnlySpan<int> rows, Span<float> into)
    {
        into.Clear();
        foreach (int row in rows) TensorPrimitives.Add(into, Input.AsSpan((int)((long)row * Dim), Dim), into);
        if (rows.Length > 0) TensorPrimitives.Multiply(into, 1f / rows.Length, into);
    }

    /// <summary>Every dictionary word's vector, as word2vec vectors (what fastText writes to <c>.vec</c>).</summary>
    public WordVectors WordVectors()
    {
        var data = new float[(long)WordCount * Dim];
        Parallel.For(0, WordCount, id => Mean(_rows[id], data.AsSpan(id * Dim, Dim)));
        return new WordVectors(Vocabulary, Dim, data) { Tokenizer = Tokenizer };
    }

    /// <summary>
    /// Vectors for <paramref name="words"/> (any strings, in or out of the dictionary), with the counts given or 0
    /// (for a decode vocabulary).
    /// </summary>
    public WordVectors WordVectors(IReadOnlyList<string> words, IReadOnlyList<long> counts)
    {
        var data = new float[(long)words.Count * Dim];
        Parallel.For(0, words.Count, i => Mean(Rows(words[i]), data.AsSpan(i * Dim, Dim)));
        return new WordVectors(new Vocabulary(words, counts), Dim, data);
    }

    /// <summary>
    /// Writes the model as fastText does for <c>-output PATH</c>: <paramref name="binPath"/> (fastText's <c>.bin</c>) and,
    /// beside it, the dictionary words' vectors as word2vec text (<c>.vec</c>) with their counts (<c>.vocab</c>), all
    /// three through <see cref="AtomicFile.WriteAll"/>: complete on disk before any is renamed; with a
    /// <see cref="Tokenizer"/>, the <c>.tokenizer.json</c> both files share goes with them.
    /// </summary>
    public void Save(string binPath)
    {
        string vecPath = Path.ChangeExtension(binPath, ".vec");
        string vocabPath = Embeddings.WordVectors.VocabPathFor(vecPath);
        if (Path.GetFullPath(binPath) == Path.GetFullPath(vecPath) || Path.GetFullPath(binPath) == Path.GetFullPath(vocabPath))
            throw new BadInputException($"{binPath}: the model needs another name: its .vec and .vocab files go beside it");
        var vectors = WordVectors();
        Embeddings.WordVectors.WriteWithTokenizer(binPath, Tokenizer, Vocabulary,
        [
            (binPath, stream => FastTextBinary.Write(stream, this)),
            (vecPath, stream => Word2VecText.Write(stream, vectors)),
            (vocabPath, stream => VocabFile.Write(stream, Vocabulary)),
        ]);
    }

    /// <summary>
    /// A word-level model of word2vec vectors (fastText's <c>-maxn 0</c>: no n-grams, so a word's vector is its row;
    /// an output matrix of zeros, as fastText starts training with), for writing them as a fastText <c>.bin</c>.
    /// </summary>
    public static SubwordModel WordLevel(WordVectors vectors) =>
        new(new FastTextArgs { Dim = vectors.Dim, MinN = 0, MaxN = 0, Bucket = 0 }, vectors.Vocabulary, vectors.Data, [])
        {
            Tokenizer = vectors.Tokenizer,
        };

    private int[] RowsOf(string word, int id, List<int> list)
    {
        list.Clear();
        if (id >= 0) list.Add(id);
        int start = list.Count;
        // <unk> stands for every rare word: its own row only (a model VecLm trained has no n-grams for it).
        if (id < 0 || id != Vocabulary.UnknownId) Subwords.Add(word, list);
        for (int i = start; i < list.Count; i++) list[i] += WordCount;
        return list.ToArray();
    }
}
