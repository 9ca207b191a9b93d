using System.Text.Json;

namespace VecLm.Cli.Tests;

/// <summary><c>--decode</c> and <c>--beta</c> on the commands that decode, and the decoding keys of <c>eval --json</c>.</summary>
public class DecodeOptionsTests(TinyModels models) : IClassFixture<TinyModels>
{
    [Fact]
    public void EvalJsonHasEveryRuleOfAModelTrainedWithValidation()
    {
        var result = Veclm.Run("eval", models.Model("cosine-fitted"), "--test", models.Test, "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal("center", root.GetProperty("targets").GetString());
        Assert.Matches("^(prior|posterior) β=", root.GetProperty("rule").GetString());
        Assert.True(root.GetProperty("output_us").GetDouble() > 0);
        var rules = root.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("rule").GetString()!.Split(' ')[0]).ToArray();
        Assert.Equal(["cosine", "prior", "posterior", "csls"], rules);
        // A few words: exact search is the faster, and auto takes it; --decoder hnsw asks for the graph.
        Assert.Equal("exact", root.GetProperty("decoder").GetString());
        var hnsw = Veclm.Run("eval", models.Model("cosine-fitted"), "--test", models.Test, "--json", "--decoder", "hnsw");
        using (var hnswJson = JsonDocument.Parse(hnsw.Stdout)) Assert.Equal("hnsw", hnswJson.RootElement.GetProperty("decoder").GetString());

        var cosine = Veclm.Run("eval", models.Model("cosine-fitted"), "--test", models.Test, "--json", "--decode", "cosine");
        using var cosineJson = JsonDocument.Parse(cosine.Stdout);
        Assert.Equal("cosine", cosineJson.RootElement.GetProperty("rule").GetString());
        var given = Veclm.Run("eval", models.Model("cosine-fitted"), "--test", models.Test, "--json", "--beta", "0.25");
        using var givenJson = JsonDocument.Parse(given.Stdout);
        Assert.Equal("prior β=0.250", givenJson.RootElement.GetProperty("rule").GetString());
        var softmax = Veclm.Run("eval", models.Model("softmax"), "--test", models.Test, "--json");
        using var softmaxJson = JsonDocument.Parse(softmax.Stdout);
        Assert.Equal("softmax", softmaxJson.RootElement.GetProperty("rule").GetString());
        Assert.Equal(0, softmaxJson.RootElement.GetProperty("rules").GetArrayLength());
    }

    [Fact]
    public void PredictDecodesByTheRuleAsked()
    {
        var prior = Veclm.Run("predict", models.Model("cosine-fitted"), "the cat", "-k", "2");
        Assert.Contains("score (prior β=", prior.Stdout);
        var cosine = Veclm.Run("predict", models.Model("cosine-fitted"), "the cat", "-k", "2", "--decode", "cosine");
        Assert.Contains("score (cosine)", cosine.Stdout);
        var posterior = Veclm.Run("predict", models.Model("cosine-fitted"), "the cat", "-k", "2", "--decode", "posterior", "--beta", "0.5");
        Assert.Contains("score (posterior β=0.500)", posterior.Stdout);
        var csls = Veclm.Run("generate", models.Model("cosine-fitted"), "the cat", "-n", "3", "--decode", "csls", "--seed", "1");
        Assert.True(csls.ExitCode == 0, csls.Stderr);
    }

    [Fact]
    public void PredictSearchesByTheDecoderAsked()
    {
        using var dir = new TempDir();
        string model = Path.Combine(dir.Path, "m");
        Directory.CreateDirectory(model);
        foreach (var file in Directory.GetFiles(models.Model("cosine-fitted")).Where(f => !f.EndsWith(".hnsw")))
            File.Copy(file, Path.Combine(model, Path.GetFileName(file)));
        string index = Path.Combine(model, "targets.hnsw");

        var exact = Veclm.Run("predict", model, "the cat", "-k", "3", "--decoder", "exact");
        Assert.True(exact.ExitCode == 0, exact.Stderr);
        var auto = Veclm.Run("predict", model, "the cat", "-k", "3");
        Assert.Equal(exact.Stdout, auto.Stdout);
        Assert.False(File.Exists(index));                                   // a few words: exact search, nothing built

        var hnsw = Veclm.Run("predict", model, "the cat", "-k", "3", "--decoder", "hnsw");
        Assert.True(hnsw.ExitCode == 0, hnsw.Stderr);
        Assert.Contains("building the HNSW index", hnsw.Stderr);
        Assert.True(File.Exists(index));
        Assert.Equal(exact.Stdout, hnsw.Stdout);                            // the graph of a few words finds the same
        var again = Veclm.Run("generate", model, "the cat", "-n", "3", "--seed", "1", "--decoder", "hnsw");
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.DoesNotContain("building", again.Stderr);                    // kept from the run before
        Veclm.AssertCleanError(Veclm.Run("predict", model, "the", "--decoder", "graph"), 2, "'graph'");
    }

    [Fact]
    public void BadDecodingOptionsAreCleanErrors()
    {
        Veclm.AssertCleanError(Veclm.Run("predict", models.Model("cosine-fitted"), "the", "--beta", "-1"), 2, "--beta");
        Veclm.AssertCleanError(Veclm.Run("predict", models.Model("cosine-fitted"), "the", "--decode", "csls", "--beta", "0.1"), 2, "--beta");
        Veclm.AssertCleanError(Veclm.Run("predict", models.Model("cosine-fitted"), "the", "--decode", "nearest"), 2, "'nearest'");
        // Trained without --valid: no fitted β and no hubness to decode with.
        Veclm.AssertCleanError(Veclm.Run("predict", models.Model("cosine"), "the", "--decode", "prior"), 2, "--beta");
        Veclm.AssertCleanError(Veclm.Run("eval", models.Model("cosine"), "--test", models.Test, "--decode", "csls"), 2, "hubness");
        // A boost of the unseen words needs words to decode that the model never had.
        Veclm.AssertCleanError(Veclm.Run("predict", models.Model("cosine-fitted"), "the", "--unseen-boost", "3"), 2, "decode vocabulary");
        Veclm.AssertCleanError(Veclm.Run("eval", models.Model("cosine-fitted"), "--test", models.Test, "--unseen-boost", "3"), 2, "decode vocabulary");
    }

    /// <summary>
    /// A model trained with --decode-vocab decodes to it by default, so --unseen-boost alone applies to it (and a word
    /// list without the sentence end still lets the model predict it).
    /// </summary>
    [Fact]
    public void AModelTrainedWithADecodeVocabularyTakesTheBoostAlone()
    {
        using var dir = new TempDir();
        var (corpus, vectors) = TinyCorpus.Write(dir);
        var words = File.ReadLines(corpus).SelectMany(l => l.Split(' ')).Distinct().ToArray();
        File.WriteAllLines(dir.File("words.txt"), words);
        var train = Veclm.Run("train", corpus, "--vectors", vectors, "-o", dir.File("m"), "--decode-vocab", dir.File("words.txt"),
            "--hidden", "16", "--batch", "4", "--bptt", "8", "--max-steps", "5", "--threads", "1", "--seed", "1", "--valid", models.Test);
        Assert.True(train.ExitCode == 0, train.Stderr);
        var eval = Veclm.Run("eval", dir.File("m"), "--test", models.Test, "--json", "--unseen-boost", "3");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        using var json = JsonDocument.Parse(eval.Stdout);
        var decode = json.RootElement.GetProperty("decode_vocab");
        Assert.Equal(3, decode.GetProperty("boost").GetDouble());
        Assert.Equal(words.Length + 1, decode.GetProperty("words").GetInt32());   // and </s>
    }
}
