using VecLm.Embeddings;

namespace VecLm.Embeddings.Tests;

public class CorpusTests
{
    [Fact]
    public void ByteRangesCoverEveryLineExactlyOnce()
    {
        using var dir = new TempDir();
        var lines = Enumerable.Range(0, 500).Select(i => string.Join(' ', Enumerable.Repeat($"w{i}", 1 + i % 7))).ToList();
        lines.Insert(100, "");
        lines.Insert(200, "   ");
        File.WriteAllText(dir.File("c.txt"), string.Join('\n', lines)); // no final newline
        var corpus = new Corpus(dir.File("c.txt"));
        var expected = lines.Where(l => l.Trim().Length > 0).ToList();
        foreach (int parts in new[] { 1, 2, 3, 7, 64 })
        {
            var seen = new List<string>();
            for (int p = 0; p < parts; p++)
                foreach (var line in corpus.Lines(corpus.Length * p / parts, corpus.Length * (p + 1) / parts))
                    seen.Add(line.ToString());
            Assert.Equal(expected, seen);
        }
    }

    [Fact]
    public void TokensSplitOnAnyWhiteSpace()
    {
        var line = " The\tjury  said ,\r".AsSpan();
        var tokens = new List<string>();
        foreach (var range in Corpus.Tokens(line)) tokens.Add(line[range].ToString());
        Assert.Equal(["The", "jury", "said", ","], tokens);
    }

    [Fact]
    public void InvalidUtf8IsReplacedAndCounted()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("c.txt"), [(byte)'a', (byte)' ', 0xFF, (byte)'b', (byte)'\n', 0xC3, 0xA9, (byte)' ', 0xC3, (byte)'\n']);
        var corpus = new Corpus(dir.File("c.txt"));
        var lines = corpus.Lines().Select(l => l.ToString()).ToList();
        Assert.Equal(["a \uFFFDb", "é \uFFFD"], lines);
        Assert.Equal(2, corpus.InvalidSequences);
    }

    [Fact]
    public void TokenizedLinesAreTheTokenizerOnEachLine()
    {
        using var dir = new TempDir();
        var random = new Random(3);
        string[] pieces = ["The", "film,", "don't", "(really)", "3.14", "…", "Привет!", "中文", "👍🏽", "state-of-the-art.", "</s>", "\"Yes,\"", "  ", "\t"];
        var lines = Enumerable.Range(0, 400).Select(i => string.Concat(Enumerable.Range(0, random.Next(0, 12))
            .Select(_ => pieces[random.Next(pieces.Length)] + (random.Next(3) == 0 ? "" : " ")))).ToList();
        lines.Insert(50, "");
        lines.Insert(60, " , ");
        lines.Insert(70, "\u200B\u00A0");   // no tokens: skipped, as a blank line
        lines.Insert(80, string.Concat(Enumerable.Repeat("word, ", 30_000)));   // longer than a read chunk
        File.WriteAllText(dir.File("c.txt"), string.Join("\r\n", lines) + "\n");
        foreach (var options in new[] { new TokenizerOptions(), new TokenizerOptions { Lowercase = true } })
        {
            var tokenizer = new Tokenizer(options);
            var expected = lines.Select(tokenizer.Split).Where(t => t.Length > 0).Select(t => string.Join(' ', t)).ToList();
            var corpus = new Corpus(dir.File("c.txt"), options);
            Assert.Equal(options, corpus.Tokenizer);
            foreach (int parts in new[] { 1, 3 })
            {
                var seen = new List<string>();
                for (int p = 0; p < parts; p++)
                    foreach (var line in corpus.Lines(corpus.Length * p / parts, corpus.Length * (p + 1) / parts))
                    {
                        var tokens = new List<string>();
                        foreach (var range in Corpus.Tokens(line.Span)) tokens.Add(line.Span[range].ToString());
                        seen.Add(string.Join(' ', tokens));
                    }
                Assert.Equal(expected, seen);
            }
        }
    }

    [Fact]
    public void AMissingCorpusIsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => new Corpus("/nonexistent/corpus.txt"));
    }
}

public class VocabularyTests
{
    [Fact]
    public void RareWordsBecomeUnknownAndOrderFollowsWord2Vec()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("c.txt"), "b a a c\nb a d\n\ne b\n");
        var vocabulary = Vocabulary.Build(new Corpus(dir.File("c.txt")), minCount: 2);
        // </s> first, then by count (a 3, b 3: ties ordinal), then <unk> = c + d + e = 3 … all ties ordinal.
        Assert.Equal(["</s>", "<unk>", "a", "b"], vocabulary.Words);
        Assert.Equal(new long[] { 3, 3, 3, 3 }, vocabulary.Counts.ToArray());
        Assert.Equal(vocabulary.UnknownId, vocabulary.IdOrUnknown("zebra"));
        Assert.Equal(0, vocabulary.EndOfSentenceId);
        Assert.Equal(12, vocabulary.TotalCount);
    }

    [Fact]
    public void ACorpusWithNoFrequentWordIsRejected()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("c.txt"), "a b c\n");
        var e = Assert.Throws<InvalidDataException>(() => Vocabulary.Build(new Corpus(dir.File("c.txt")), minCount: 5));
        Assert.Contains("min-count", e.Message);
    }

    [Fact]
    public void AnEmptyCorpusIsRejected()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("c.txt"), "\n  \n");
        Assert.Throws<InvalidDataException>(() => Vocabulary.Build(new Corpus(dir.File("c.txt")), minCount: 1));
    }
}
