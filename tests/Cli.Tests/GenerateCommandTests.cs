
namespace VecLm.Cli.Tests;

/// <summary>A tiny corpus, random vectors and a softmax and a cosine model trained for a few steps, shared by the tests.</summary>
public sealed class TinyModels : IDisposable
{
    private readonly TempDir dir = new();

    public TinyModels()
    {
        var (corpus, _) = TinyCorpus.Write(dir);
        var random = new Random(6);
        foreach (var loss in new[] { "cosine", "softmax" })
        {
            var result = Veclm.Run("train", corpus, "--vectors", dir.File("vectors.bin"), "--loss", loss, "-o", Model(loss),
                "--hidden", "16", "--batch", "4", "--bptt", "8", "--max-steps", "20", "--threads", "1", "--seed", "1");
            Assert.True(result.ExitCode == 0, result.Stderr);
        }
        File.WriteAllLines(Test, TinyCorpus.Lines(random, 20));
        var fitted = Veclm.Run("train", corpus, "--vectors", dir.File("vectors.bin"), "-o", Model("cosine-fitted"), "--valid", Test,
            "--hidden", "16", "--batch", "4", "--bptt", "8", "--max-steps", "20", "--threads", "1", "--seed", "1");
        Assert.True(fitted.ExitCode == 0, fitted.Stderr);
    }

    public string Test => dir.File("test.txt");

    public string Model(string loss) => dir.File(loss + ".model");
    public string Missing => dir.File("missing.model");

    public void Dispose() => dir.Dispose();
}

/// <summary><c>veclm predict</c> and <c>veclm generate</c> end to end.</summary>
public class GenerateCommandTests(TinyModels models) : IClassFixture<TinyModels>
{
    [Theory]
    [InlineData("cosine")]
    [InlineData("softmax")]
    public void PredictPrintsAHeaderAndKLines(string loss)
    {
        var result = Veclm.Run("predict", models.Model(loss), "the cat", "-k", "3");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        // A regression head shows its decoding rule's score (cosine + the rule's bias) and the cosine beside it.
        Assert.Matches(loss == "softmax" ? @"^rank\s+word\s+probability$" : @"^rank\s+word\s+score \(\S+.*\)\s+cosine$", lines[0].Trim());
        string number = @"-?\d\.\d{4}";
        for (int r = 1; r <= 3; r++)
            Assert.Matches(loss == "softmax" ? $@"^{r}\s+\S+\s+{number}$" : $@"^{r}\s+\S+\s+{number}\s+{number}$", lines[r].Trim());
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public void UnknownWordsAreOneWarningAndAnUnknownOnlyPromptIsAnError()
    {
        var some = Veclm.Run("predict", models.Model("cosine"), "the", "zebra", "cat", "gnu");
        Assert.Equal(0, some.ExitCode);
        var warning = Assert.Single(some.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("veclm: warning: not in the vocabulary, read as <unk>: 'zebra', 'gnu'", warning);

        Veclm.AssertCleanError(Veclm.Run("predict", models.Model("cosine"), "zebra gnu"), 2, "no word the model knows");
        Veclm.AssertCleanError(Veclm.Run("generate", models.Model("softmax"), "zebra"), 2, "no word the model knows");
        Veclm.AssertCleanError(Veclm.Run("predict", models.Model("cosine"), " "), 2, "the prompt is empty");
    }

    [Fact]
    public void AMissingModelFolderOrBadOptionIsOneLineAndExitTwo()
    {
        Veclm.AssertCleanError(Veclm.Run("predict", models.Missing, "the cat"), 2, "model folder not found");
        Veclm.AssertCleanError(Veclm.Run("generate", models.Missing, "the cat"), 2, "model folder not found");
        Veclm.AssertCleanError(Veclm.Run("predict", models.Model("cosine"), "the", "-k", "0"), 2, "-k");
        Veclm.AssertCleanError(Veclm.Run("generate", models.Model("cosine"), "the", "--top-p", "0"), 2, "--top-p");
        Veclm.AssertCleanError(Veclm.Run("generate", models.Model("cosine"), "the", "--temperature", "-1"), 2, "--temperature");
    }

    [Theory]
    [InlineData("cosine")]
    [InlineData("softmax")]
    public void GenerateWithASeedIsReproducibleAndStartsWithThePrompt(string loss)
    {
        string[] args = ["generate", models.Model(loss), "a dog", "-n", "15", "--seed", "7", "--temperature", "1"];
        var first = Veclm.Run(args);
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.StartsWith("a dog", first.Stdout);
        Assert.Equal(first.Stdout, Veclm.Run(args).Stdout);
        // 2 + 15 tokens, each </s> printed as a line break; one more line break ends the text unless a </s> did.
        int words = first.Stdout.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Length;
        Assert.InRange(words + first.Stdout.Count(c => c == '\n'), 17, 18);
    }
}
