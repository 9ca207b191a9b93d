
namespace VecLm.Cli.Tests;

/// <summary><c>veclm train</c> end to end: a tiny run writes a model folder; bad input is one line and exit 2.</summary>
public class TrainCommandTests
{
    private static (string Corpus, string Vectors) Data(TempDir dir) => TinyCorpus.Write(dir);

    [Fact]
    public void TrainsAModelFolderWithMetrics()
    {
        using var dir = new TempDir();
        var (corpus, vectors) = Data(dir);
        var result = Veclm.Run("train", corpus, "--vectors", vectors, "--loss", "vmf", "-o", dir.File("run.model"),
            "--valid", corpus, "--hidden", "16", "--batch", "4", "--bptt", "8", "--epochs", "2", "--threads", "1", "--seed", "1");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("tokens/s", result.Stdout);
        Assert.Contains("epoch 2:", result.Stdout);
        foreach (var file in new[] { "config.json", "vocab.txt", "model.weights", "checkpoint.bin", "state.json", "metrics.csv", "targets.json", "decoding.json" })
            Assert.True(File.Exists(Path.Combine(dir.File("run.model"), file)), file);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(dir.File("run.model"), "metrics.csv")).Length);
    }

    [Theory]
    [InlineData("nope.bin", new string[0], "vectors file not found")]
    [InlineData("vectors.bin", new[] { "--loss", "hinge" }, "hinge")]
    [InlineData("vectors.bin", new[] { "--time-limit", "soon" }, "--time-limit")]
    [InlineData("vectors.bin", new[] { "--batch", "100000" }, "too short for one batch")]
    [InlineData("vectors.bin", new[] { "--lr", "0" }, "--lr")]
    public void BadInputIsOneLineAndExitTwo(string vectors, string[] extra, string mentions)
    {
        using var dir = new TempDir();
        var (corpus, _) = Data(dir);
        var result = Veclm.Run(["train", corpus, "--vectors", dir.File(vectors), "-o", dir.File("m.model"), .. extra]);
        Veclm.AssertCleanError(result, 2, mentions);
    }
}
