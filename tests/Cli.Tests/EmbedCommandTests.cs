using System.Security.Cryptography;

namespace VecLm.Cli.Tests;

public class EmbedCommandTests
{
    private static string Corpus(TempDir dir)
    {
        var random = new Random(3);
        string path = dir.File("corpus.txt");
        File.WriteAllLines(path, Enumerable.Range(0, 1500)
            .Select(_ => string.Join(' ', Enumerable.Range(0, 10).Select(_ => $"w{(int)Math.Sqrt(random.Next(900))}"))));
        return path;
    }

    [Fact]
    public void WritesLoadableVectorsAndASummary()
    {
        using var dir = new TempDir();
        var result = Veclm.Run("embed", Corpus(dir), "-o", dir.File("v.bin"), "--dim", "16", "--epochs", "2", "--min-count", "3");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("words/s", result.Stdout);
        Assert.Equal("", result.Stderr);
        var vectors = Embeddings.WordVectors.Load(dir.File("v.bin"));
        Assert.Equal(16, vectors.Dim);
        Assert.True(vectors.HasCounts);
        Assert.Contains("</s>", vectors.Vocabulary.Words);

        // v.txt would share v.bin's v.vocab: a clean refusal, not its counts silently replaced.
        Veclm.AssertCleanError(Veclm.Run("embed", Corpus(dir), "-o", dir.File("v.txt"), "--format", "text"), 2, "v.vocab already exists");
        var text = Veclm.Run("embed", Corpus(dir), "-o", dir.File("t.txt"), "--dim", "16", "--epochs", "1", "--format", "text");
        Assert.Equal(0, text.ExitCode);
        Assert.StartsWith($"{Embeddings.WordVectors.Load(dir.File("t.txt")).Count} 16\n", File.ReadAllText(dir.File("t.txt")));
    }

    [Fact]
    public void OneThreadAndASeedGiveIdenticalFiles()
    {
        using var dir = new TempDir();
        string corpus = Corpus(dir);
        foreach (var name in new[] { "a.bin", "b.bin" })
            Assert.Equal(0, Veclm.Run("embed", corpus, "-o", dir.File(name), "--dim", "8", "--epochs", "1", "--threads", "1", "--seed", "7").ExitCode);
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(dir.File("a.bin"))), SHA256.HashData(File.ReadAllBytes(dir.File("b.bin"))));
    }

    [Theory]
    [InlineData("missing.txt", new string[0], "corpus file not found")]
    [InlineData("corpus.txt", new[] { "--dim", "0" }, "--dim")]
    [InlineData("corpus.txt", new[] { "--window", "abc" }, "abc")]
    [InlineData("corpus.txt", new[] { "--format", "xml" }, "xml")]
    [InlineData("corpus.txt", new[] { "--min-count", "100000" }, "min-count")]
    [InlineData("empty.txt", new string[0], "no tokens")]
    public void BadInputIsOneLineAndExitTwo(string corpus, string[] extra, string mentions)
    {
        using var dir = new TempDir();
        Corpus(dir);
        File.WriteAllText(dir.File("empty.txt"), "\n\n");
        var result = Veclm.Run(["embed", dir.File(corpus), "-o", dir.File("v.bin"), .. extra]);
        Veclm.AssertCleanError(result, 2, mentions);
        Assert.False(File.Exists(dir.File("v.bin")));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void AnUnwritableOutputFailsBeforeTraining()
    {
        using var dir = new TempDir();
        var result = Veclm.Run("embed", Corpus(dir), "-o", dir.File("no/such/folder/v.bin"));
        Veclm.AssertCleanError(result, 2, "output folder does not exist");
    }

    [Fact]
    public void InvalidUtf8IsOneWarning()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("bad.txt"), [.. "a b a b\n"u8, 0xFF, .. " a b\n"u8]);
        var result = Veclm.Run("embed", dir.File("bad.txt"), "-o", dir.File("v.bin"), "--min-count", "1", "--dim", "4");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("veclm: warning: 1 invalid UTF-8 sequences in " + dir.File("bad.txt") + " were replaced by U+FFFD",
                     result.Stderr.Trim());
    }

    [Fact]
    public void HelpExplainsUnknownWords()
    {
        var result = Veclm.Run("embed", "--help");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("<unk>", result.Stdout);
    }
}
