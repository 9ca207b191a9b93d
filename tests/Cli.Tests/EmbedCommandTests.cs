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
    public void SubwordWritesAFastTextBinAndItsWordVectorsBeside()
    {
        using var dir = new TempDir();
        var result = Veclm.Run("embed", Corpus(dir), "-o", dir.File("v.bin"), "--subword", "--dim", "8", "--epochs", "1",
                               "--min-count", "3", "--buckets", "1000", "--threads", "1");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("1,000 n-gram buckets", result.Stdout);
        Assert.Equal(793712314, BitConverter.ToInt32(File.ReadAllBytes(dir.File("v.bin")), 0));   // fastText's magic
        var words = Embeddings.WordVectors.Load(dir.File("v.vec"));
        var fromBin = Embeddings.WordVectors.Load(dir.File("v.bin"));
        Assert.Equal(words.Vocabulary.Words, fromBin.Vocabulary.Words);
        Assert.Equal(words.Data, fromBin.Data, new ToleranceComparer(1e-6f));    // the .vec is text: 9 significant digits

        // The .bin and the .vec are one output: either existing is a refusal without --force.
        Veclm.AssertCleanError(Veclm.Run("embed", Corpus(dir), "-o", dir.File("v.bin"), "--subword"), 2, "already exists");
        File.Delete(dir.File("v.bin"));
        Veclm.AssertCleanError(Veclm.Run("embed", Corpus(dir), "-o", dir.File("v.bin"), "--subword"), 2, "v.vec already exists");
    }

    [Theory]
    [InlineData(new[] { "--minn", "5", "--maxn", "3" }, "--minn")]
    [InlineData(new[] { "--buckets", "0" }, "--buckets")]
    [InlineData(new[] { "--minn", "0" }, "--minn")]
    public void BadSubwordOptionsAreOneLineAndExitTwo(string[] extra, string mentions)
    {
        using var dir = new TempDir();
        var result = Veclm.Run(["embed", Corpus(dir), "-o", dir.File("v.bin"), "--subword", .. extra]);
        Veclm.AssertCleanError(result, 2, mentions);
        Assert.False(File.Exists(dir.File("v.bin")));
        Veclm.AssertCleanError(Veclm.Run("embed", Corpus(dir), "-o", dir.File("v.vec"), "--subword"), 2, "names the fastText .bin");
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance * Math.Max(1, Math.Abs(a));
        public int GetHashCode(float v) => 0;
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
