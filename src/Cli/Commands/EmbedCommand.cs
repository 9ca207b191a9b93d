using System.CommandLine;
using VecLm.Embeddings;
using VecLm.Embeddings.FastText;

namespace VecLm.Cli;

/// <summary>
/// <c>veclm embed</c>: word2vec over a pre-tokenised corpus (or raw text with <c>--tokenize</c>, recorded in a
/// <c>.tokenizer.json</c> beside the vectors), written in word2vec's binary or text format; with <c>--subword</c>,
/// fastText's subword model, written as fastText's <c>.bin</c> with the word vectors in a <c>.vec</c> beside it (as
/// <c>fasttext skipgram -output</c>).
/// </summary>
public static class EmbedCommand
{
    public static Command Create()
    {
        var corpus = new Argument<FileInfo>("corpus") { Description = "Pre-tokenised text: tokens split on white space (raw text with --tokenize), one sentence per line (each line ends with </s>)." };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the vectors (a .vocab file with the counts goes beside them).", Required = true };
        var dim = new Option<int>("--dim") { Description = "Vector dimension.", DefaultValueFactory = _ => 64 };
        var window = new Option<int>("--window") { Description = "Maximum context distance; each word's window is shrunk at random to 1..window.", DefaultValueFactory = _ => 5 };
        var negative = new Option<int>("--negative") { Description = "Negative samples per word, drawn from the unigram^0.75 distribution.", DefaultValueFactory = _ => 5 };
        var minCount = new Option<int>("--min-count") { Description = "Words seen fewer times are not dropped: they become <unk>, which gets a vector like any word.", DefaultValueFactory = _ => 5 };
        var sample = new Option<double>("--sample") { Description = "Subsampling threshold for frequent words (0: off).", DefaultValueFactory = _ => 1e-3 };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the corpus.", DefaultValueFactory = _ => 5 };
        var alpha = new Option<double?>("--alpha") { Description = "Starting learning rate, decayed linearly to alpha*1e-4 [default: 0.025, CBOW and --subword 0.05]." };
        var threads = new Option<int>("--threads") { Description = "Training threads (lock-free).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var cbow = new Option<bool>("--cbow") { Description = "CBOW instead of skip-gram." };
        var format = new Option<string>("--format") { Description = "Output format: bin (Google word2vec binary) or text.", DefaultValueFactory = _ => "bin" };
        format.AcceptOnlyFromAmong("bin", "text");
        var force = new Option<bool>("--force") { Description = "Replace the vectors and .vocab files if they exist (without it, an existing file is an error)." };
        var subword = new Option<bool>("--subword") { Description = "fastText's subword model: a word's vector is the mean of its own and its character n-grams' (any string gets a vector). -o names the fastText .bin; the word vectors go to a .vec beside it." };
        var minn = new Option<int>("--minn") { Description = "With --subword: shortest character n-gram.", DefaultValueFactory = _ => 3 };
        var maxn = new Option<int>("--maxn") { Description = "With --subword: longest character n-gram.", DefaultValueFactory = _ => 6 };
        var buckets = new Option<int>("--buckets") { Description = "With --subword: rows the n-grams are hashed into.", DefaultValueFactory = _ => 2_000_000 };
        var seed = new Option<ulong>("--seed") { Description = "Random seed; with --threads 1 the output is reproducible bit for bit.", DefaultValueFactory = _ => 1UL };

        var tokenize = new TokenizeOptions("the corpus", "Recorded beside the vectors (.tokenizer.json): train applies it by itself.");
        var command = new Command("embed", "Train word2vec vectors (skip-gram or CBOW, negative sampling) on a corpus.")
        {
            corpus, output, dim, window, negative, minCount, sample, epochs, alpha, threads, cbow, format, seed, force,
            subword, minn, maxn, buckets,
        };
        tokenize.AddTo(command);
        command.SetAction(parse =>
        {
            var options = new Word2VecOptions
            {
                Dim = parse.GetValue(dim), Window = parse.GetValue(window), Negative = parse.GetValue(negative),
                MinCount = parse.GetValue(minCount), Sample = parse.GetValue(sample), Epochs = parse.GetValue(epochs),
                Alpha = parse.GetValue(alpha), Threads = parse.GetValue(threads), Cbow = parse.GetValue(cbow),
                Seed = parse.GetValue(seed), Tokenizer = tokenize.Read(parse),
            }.Validate();
            string input = parse.GetValue(corpus)!.FullName, target = parse.GetValue(output)!.FullName;
            if (parse.GetValue(subword))
                return Subword(input, target, options, new SubwordOptions
                {
                    MinN = parse.GetValue(minn), MaxN = parse.GetValue(maxn), Buckets = parse.GetValue(buckets),
                }.Validate(), parse.GetValue(force));
            OutputPath.EnsureNew(parse.GetValue(force), target, WordVectors.VocabPathFor(target), WordVectors.TokenizerPathFor(target));
            using var cancel = Interrupt.Listen();
            var result = Terminal.WithProgress("embedding", report => Word2VecTrainer.Train(input, options,
                p => report(p.Fraction, Progress(p, options)), cancel.Token));
            WarnInvalid(result.InvalidSequences, input);
            result.Vectors.Save(target, VectorFormats.Parse(parse.GetValue(format)!));
            var vocabulary = result.Vectors.Vocabulary;
            Console.WriteLine($"embedded {result.Words:N0} words in {result.Elapsed.TotalSeconds:0.0} s ({result.WordsPerSecond:N0} words/s): " +
                              $"{vocabulary.Count:N0} words × {options.Dim} → {target}{Recorded(options, target)}");
            return 0;
        });
        return command;
    }

    private static int Subword(string input, string target, Word2VecOptions options, SubwordOptions subwords, bool force)
    {
        if (string.Equals(Path.GetExtension(target), ".vec", StringComparison.OrdinalIgnoreCase))
            throw new BadInputException($"with --subword, -o names the fastText .bin (the .vec is written beside it): {target}");
        string vec = Path.ChangeExtension(target, ".vec");
        OutputPath.EnsureNew(force, target, vec, WordVectors.VocabPathFor(vec), WordVectors.TokenizerPathFor(target));
        using var cancel = Interrupt.Listen();
        var result = Terminal.WithProgress("embedding", report => SubwordTrainer.Train(input, options, subwords,
            p => report(p.Fraction, Progress(p, options)), cancel.Token));
        WarnInvalid(result.InvalidSequences, input);
        result.Model.Save(target);
        Console.WriteLine($"embedded {result.Words:N0} words in {result.Elapsed.TotalSeconds:0.0} s ({result.WordsPerSecond:N0} words/s): " +
                          $"{result.Model.WordCount:N0} words + {subwords.Buckets:N0} n-gram buckets × {options.Dim} → {target}, {vec}{Recorded(options, target)}");
        return 0;
    }

    /// <summary>Where the tokenizer went, for the summary line (nothing without --tokenize).</summary>
    private static string Recorded(Word2VecOptions options, string target) =>
        options.Tokenizer is { } t ? $" ({t.Flags}: {WordVectors.TokenizerPathFor(target)})" : "";

    private static string Progress(Word2VecProgress p, Word2VecOptions options) =>
        $"epoch {p.Epoch}/{options.Epochs} α {p.Alpha:0.00000} {p.WordsPerSecond / 1000:0}k words/s";

    private static void WarnInvalid(long invalid, string input)
    {
        if (invalid > 0) CliRunner.Warn($"{invalid} invalid UTF-8 sequences in {input} were replaced by U+FFFD");
    }
}
