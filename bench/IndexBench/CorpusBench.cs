using System.Diagnostics;
using VecLm.Embeddings;

namespace VecLm.Bench;

/// <summary>
/// <c>IndexBench corpus TEXT [repeats]</c>: how fast a corpus is streamed as the word2vec trainers read it (one thread,
/// <see cref="Corpus.Lines"/> then <see cref="Corpus.Tokens"/>, every token looked at), split on white space and with
/// <c>--tokenize</c> and <c>--tokenize --lowercase</c>. The three are run in turn, <paramref name="repeats"/> times, after
/// a warm-up pass each; the best and the median of each are printed, in tokens/s (the tokens each way yields) and MB/s
/// of the file.
/// </summary>
public static class CorpusBench
{
    public static void Run(string path, int repeats)
    {
        (string Name, TokenizerOptions? Tokenizer)[] ways =
            [("white space", null), ("--tokenize", new TokenizerOptions()), ("--tokenize --lowercase", new TokenizerOptions { Lowercase = true })];
        var seconds = ways.Select(_ => new List<double>()).ToArray();
        var tokens = new long[ways.Length];
        for (int w = 0; w < ways.Length; w++) tokens[w] = Pass(path, ways[w].Tokenizer).Tokens;   // warm-up: JIT, page cache
        for (int r = 0; r < repeats; r++)
            for (int w = 0; w < ways.Length; w++) seconds[w].Add(Pass(path, ways[w].Tokenizer).Seconds);
        double mb = new FileInfo(path).Length / 1e6;
        Console.WriteLine($"corpus-bench: {path}: {mb:0.0} MB, {repeats} runs each, one thread");
        Console.WriteLine($"{"reading",-24} {"tokens",12} {"best tokens/s",14} {"median tokens/s",16} {"best MB/s",10}");
        for (int w = 0; w < ways.Length; w++)
        {
            var sorted = seconds[w].Order().ToList();
            double best = sorted[0], median = sorted[sorted.Count / 2];
            Console.WriteLine($"{ways[w].Name,-24} {tokens[w],12:N0} {tokens[w] / best / 1e6,12:0.00} M {tokens[w] / median / 1e6,14:0.00} M {mb / best,10:0.0}");
        }
    }

    private static (long Tokens, double Seconds) Pass(string path, TokenizerOptions? tokenizer)
    {
        var clock = Stopwatch.StartNew();
        var corpus = new Corpus(path, tokenizer);
        long tokens = 0, chars = 0;
        foreach (var line in corpus.Lines())
        {
            foreach (var range in Corpus.Tokens(line.Span))
            {
                tokens++;
                chars += line.Span[range].Length;
            }
        }
        if (chars < 0) Console.WriteLine();   // keeps the token loop from being optimised away
        return (tokens, clock.Elapsed.TotalSeconds);
    }
}
