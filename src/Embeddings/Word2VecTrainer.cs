using System.Runtime.CompilerServices;
using System.Diagnostics;

namespace VecLm.Embeddings;

/// <summary>Where a running word2vec training is: words seen over all epochs, out of <see cref="TotalWords"/>.</summary>
public sealed record Word2VecProgress(long Words, long TotalWords, int Epoch, double Alpha, TimeSpan Elapsed)
{
    public double Fraction => TotalWords == 0 ? 1 : Math.Min(1.0, (double)Words / TotalWords);
    public double WordsPerSecond => Elapsed.TotalSeconds > 0 ? Words / Elapsed.TotalSeconds : 0;
}

public sealed record Word2VecResult(WordVectors Vectors, long Words, TimeSpan Elapsed, long InvalidSequences)
{
    public double WordsPerSecond => Elapsed.TotalSeconds > 0 ? Words / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// word2vec with negative sampling, in gensim's stages: the vocabulary (one streaming pass), the sampling tables
/// (negatives and subsampling), then training — lock-free threads (Hogwild, as word2vec C), each streaming its own
/// byte range of the corpus every epoch, the learning rate falling linearly to α·1e-4 over all epochs.
/// </summary>
public static class Word2VecTrainer
{
    private const int MaxSentence = 10_000;
    private const int ReportEvery = 10_000;

    public static Word2VecResult Train(string corpusPath, Word2VecOptions options,
                                       Action<Word2VecProgress>? progress = null, CancellationToken cancel = default)
    {
        options.Validate();
        var clock = Stopwatch.StartNew();
        var corpus = new Corpus(corpusPath, options.Tokenizer);
        var vocabulary = Vocabulary.Build(corpus, options.MinCount, options.Threads);
        long invalid = corpus.InvalidSequences;
        var run = new Run(corpus, vocabulary, options, null, 0, progress, clock, cancel);
        run.Execute();
        var vectors = new WordVectors(vocabulary, options.Dim, run.Input) { Tokenizer = options.Tokenizer };
        return new Word2VecResult(vectors, run.WordsDone, clock.Elapsed, invalid);
    }

    /// <summary>
    /// The training loop shared with the subword trainer: <paramref name="rows"/> (null for word vectors) gives each
    /// word's input rows, and <paramref name="extraRows"/> input rows follow the words' (the n-gram buckets).
    /// Returns the input and output matrices and the words trained on.
    /// </summary>
    internal static (float[] Input, float[] Output, long Words) Execute(
        Corpus corpus, Vocabulary vocabulary, Word2VecOptions options, int[][]? rows, int extraRows,
        Action<Word2VecProgress>? progress, Stopwatch clock, CancellationToken cancel)
    {
        var run = new Run(corpus, vocabulary, options, rows, extraRows, progress, clock, cancel);
        run.Execute();
        return (run.Input, run.Output, run.WordsDone);
    }

    /// <summary>The state shared by the training threads.</summary>
    private sealed class Run(Corpus corpus, Vocabulary vocabulary, Word2VecOptions options, int[][]? rows, int extraRows,
                             Action<Word2VecProgress>? progress, Stopwatch clock, CancellationToken cancel)
    {
        private readonly NegativeSampler _negatives = new(vocabulary.Counts);
        private readonly Subsampling _subsampling = new(vocabulary.Counts, options.Sample);
        private readonly long _totalWords = vocabulary.TotalCount * options.Epochs;
        private readonly object _reportLock = new();
        private long _wordsDone;

        public float[] Input { get; } = InitialVectors(vocabulary.Count, extraRows, options.Dim, options.Seed, options.Threads);
        /// <summary>Pinned: with several threads each keeps the addresses of its rows (<see cref="HotOutputRows"/>).</summary>
        public float[] Output { get; } = GC.AllocateArray<float>((int)((long)vocabulary.Count * options.Dim), pinned: true);
        public long WordsDone => Interlocked.Read(ref _wordsDone);

        public void Execute()
        {
            if (options.Threads == 1) Worker(0);
            else RunThreads();
            cancel.ThrowIfCancellationRequested();
        }

        private void RunThreads()
        {
            var threads = Enumerable.Range(0, options.Threads)
                .Select(t => new Thread(() => Worker(t)) { IsBackground = true, Name = $"word2vec-{t}" })
                .ToArray();
            foreach (var thread in threads) thread.Start();
            foreach (var thread in threads) thread.Join();
        }

        /// <remarks>
        /// Compiled optimised at once, as are <see cref="SentenceTrainer"/>'s methods: through the tiers (unoptimised,
        /// then instrumented) the first second of a run went at half speed, and at two threads the background JIT
        /// competed with the workers for the cores (1.45× → 1.65× the 1-thread words/s on Brown).
        /// </remarks>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Worker(int thread)
        {
            var random = new Lcg(unchecked(options.Seed * 0x9E3779B97F4A7C15UL + (ulong)thread));
            // Word vectors only: a subword model's steps are dominated by its n-gram rows, and its private rows made two threads slower (1.0 M against 1.2 M words/s).
            var hot = options.Threads > 1 && rows is null ? new HotOutputRows(Output, options.Dim, HotOutputRows.DefaultCount) : null;
            long merged = 0;
            var trainer = new SentenceTrainer(options, _negatives, Input, Output, rows, hot);
            long start = corpus.Length * thread / options.Threads;
            long end = corpus.Length * (thread + 1) / options.Threads;
            var sentence = new int[MaxSentence];
            long words = 0, reported = 0;
            float alpha = (float)options.StartingAlpha;
            for (int epoch = 1; epoch <= options.Epochs; epoch++)
            {
                foreach (var line in corpus.Lines(start, end))
                {
                    if (cancel.IsCancellationRequested) return;
                    int n = 0;
                    foreach (var range in Corpus.Tokens(line.Span))
                    {
                        words++;
                        n = Add(vocabulary.IdOrUnknown(line.Span[range]), sentence, n, ref random);
                        if (n == MaxSentence) { trainer.Train(sentence, n, alpha, ref random); n = 0; }
                    }
                    words++;
                    n = Add(vocabulary.EndOfSentenceId, sentence, n, ref random);
                    trainer.Train(sentence, n, alpha, ref random);
                    if (hot is not null && words - merged >= HotOutputRows.MergeEvery)
                    {
                        hot.Merge();
                        merged = words;
                    }
                    if (words - reported >= ReportEvery)
                    {
                        alpha = Report(words - reported, epoch);
                        reported = words;
                    }
                }
            }
            hot?.Merge();
            Report(words - reported, options.Epochs);
        }

        private int Add(int id, int[] sentence, int n, ref Lcg random)
        {
            if (id >= 0 && _subsampling.Keep(id, ref random)) sentence[n++] = id;
            return n;
        }

        /// <summary>Adds a thread's words to the shared count and returns the learning rate for that point.</summary>
        private float Report(long words, int epoch)
        {
            long done = Interlocked.Add(ref _wordsDone, words);
            double alpha = options.StartingAlpha * Math.Max(1.0 - (double)done / (_totalWords + 1), 1e-4);
            if (progress is not null)
                lock (_reportLock) progress(new Word2VecProgress(done, _totalWords, epoch, alpha, clock.Elapsed));
            return (float)alpha;
        }

        /// <summary>
        /// word2vec C's initialisation: uniform in [−0.5/dim, 0.5/dim) for the input vectors. The words' rows come from
        /// one sequence; a subword model's n-gram rows (two million rows are 128 million values) are filled in blocks
        /// of a million values, each from its own seed, in parallel: the same values whatever the thread count.
        /// </summary>
        private static float[] InitialVectors(int words, int extraRows, int dim, ulong seed, int threads)
        {
            const int Block = 1 << 20;
            var data = new float[((long)words + extraRows) * dim];
            long wordValues = (long)words * dim;
            var random = new Lcg(seed);
            for (long i = 0; i < wordValues; i++) data[i] = (random.NextFloat() - 0.5f) / dim;
            long extra = data.Length - wordValues;
            int blocks = (int)((extra + Block - 1) / Block);
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads }, b =>
            {
                var blockRandom = new Lcg(unchecked(seed + (ulong)(b + 1) * 0xD1B54A32D192ED03UL));
                long end = wordValues + Math.Min(extra, (long)(b + 1) * Block);
                for (long i = wordValues + (long)b * Block; i < end; i++) data[i] = (blockRandom.NextFloat() - 0.5f) / dim;
            });
            return data;
        }
    }
}
