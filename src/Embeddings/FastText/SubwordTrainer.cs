using System.Diagnostics;

namespace VecLm.Embeddings.FastText;

public sealed record SubwordResult(SubwordModel Model, long Words, TimeSpan Elapsed, long InvalidSequences)
{
    public double WordsPerSecond => Elapsed.TotalSeconds > 0 ? Words / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// fastText's unsupervised training (Bojanowski et al. 2017): skip-gram or CBOW with negative sampling where a word's
/// input vector is the mean of its own row and its character n-grams' rows (<see cref="Subwords"/>), so words never
/// seen in training still get vectors. Everything else is <see cref="Word2VecTrainer"/>'s: the vocabulary and its
/// <c>--min-count</c> (rarer words are <c>&lt;unk&gt;</c>), the streaming threads, subsampling, negatives, the
/// learning-rate schedule, progress and seeds. The starting learning rate defaults to fastText's 0.05.
/// </summary>
public static class SubwordTrainer
{
    public const double DefaultAlpha = 0.05;

    public static SubwordResult Train(string corpusPath, Word2VecOptions options, SubwordOptions subwords,
                                      Action<Word2VecProgress>? progress = null, CancellationToken cancel = default)
    {
        options = (options with { Alpha = options.Alpha ?? DefaultAlpha }).Validate();
        subwords.Validate();
        var clock = Stopwatch.StartNew();
        var corpus = new Corpus(corpusPath, options.Tokenizer);
        var vocabulary = Vocabulary.Build(corpus, options.MinCount, options.Threads);
        long invalid = corpus.InvalidSequences;
        var args = FastTextArgs.From(options, subwords);
        var rows = WordRows(vocabulary, args.Subwords());
        var (input, output, words) = Word2VecTrainer.Execute(corpus, vocabulary, options, rows, subwords.Buckets,
                                                              progress, clock, cancel);
        var model = new SubwordModel(args, vocabulary, input, output) { Tokenizer = options.Tokenizer };
        return new SubwordResult(model, words, clock.Elapsed, invalid);
    }

    /// <summary>Each word's input rows: its own, then its n-grams' (offset past the word rows).</summary>
    private static int[][] WordRows(Vocabulary vocabulary, Subwords subwords)
    {
        var rows = new int[vocabulary.Count][];
        var list = new List<int>();
        for (int id = 0; id < vocabulary.Count; id++)
        {
            list.Clear();
            list.Add(id);
            // <unk> stands for every rare word: its own row only, not the n-grams of the string "<unk>".
            if (id != vocabulary.UnknownId) subwords.Add(vocabulary[id], list);
            for (int i = 1; i < list.Count; i++) list[i] += vocabulary.Count;
            rows[id] = list.ToArray();
        }
        return rows;
    }
}
