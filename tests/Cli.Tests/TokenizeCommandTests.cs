using System.Text.Json.Nodes;
using VecLm.Embeddings;
using VecLm.Regressor;

namespace VecLm.Cli.Tests;

/// <summary>
/// <c>--tokenize</c> end to end: raw text with punctuation attached → embed records the tokenizer → train applies it by
/// itself and records it in the model → predict reads raw prompts with it; a flag that contradicts a record is one line
/// and exit 2; folders without a record read text split on white space, as before.
/// </summary>
public class TokenizeCommandTests
{
    private static readonly string[] Sentences =
    [
        "the film, they said, was great.", "\"Great film!\" she said.", "they don't like the film.",
        "the film was long; the end was great.", "they said the film (the long one) was good.",
    ];

    private static string RawCorpus(TempDir dir)
    {
        var random = new Random(11);
        string path = dir.File("raw.txt");
        File.WriteAllLines(path, Enumerable.Range(0, 120).Select(_ => Sentences[random.Next(Sentences.Length)]));
        return path;
    }

    private static readonly string[] Small = ["--hidden", "16", "--batch", "4", "--bptt", "8", "--threads", "1", "--seed", "1"];

    /// <summary>Raw text, vectors made with <c>embed --tokenize</c> and a model trained on the raw text with them.</summary>
    private static (string Corpus, string Vectors, string Model, Veclm.Result Train) Trained(TempDir dir)
    {
        string corpus = RawCorpus(dir), vectors = dir.File("v.bin"), model = dir.File("m.model");
        var embed = Veclm.Run("embed", corpus, "--tokenize", "-o", vectors, "--dim", "8", "--min-count", "1", "--epochs", "1", "--threads", "1");
        Assert.True(embed.ExitCode == 0, embed.Stderr);
        var train = Veclm.Run(["train", corpus, "--vectors", vectors, "-o", model, "--epochs", "1", .. Small]);
        Assert.True(train.ExitCode == 0, train.Stderr);
        return (corpus, vectors, model, train);
    }

    [Fact]
    public void EmbedRecordsTheTokenizerAndItsVocabularyHasNoPunctuationAttached()
    {
        using var dir = new TempDir();
        var result = Veclm.Run("embed", RawCorpus(dir), "--tokenize", "-o", dir.File("v.bin"), "--dim", "8", "--min-count", "1", "--epochs", "1");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains($"(--tokenize: {dir.File("v.tokenizer.json")})", result.Stdout);
        var vectors = WordVectors.Load(dir.File("v.bin"));
        Assert.Equal(new TokenizerOptions(), vectors.Tokenizer);
        Assert.True(File.Exists(dir.File("v.tokenizer.json")));
        var words = vectors.Vocabulary.Words;
        Assert.Contains("film", words);
        Assert.Contains(",", words);
        Assert.Contains("don't", words);
        Assert.Contains("\"", words);
        Assert.DoesNotContain("film,", words);
        Assert.DoesNotContain("great.", words);
        Assert.All(words.Where(w => w is not ("</s>" or "<unk>")), w => Assert.True(w.All(char.IsLetter) || w == "don't" || w.Length == 1, w));

        // A subword model's .bin and .vec share one record.
        var subword = Veclm.Run("embed", RawCorpus(dir), "--tokenize", "--lowercase", "--subword", "-o", dir.File("s.bin"), "--dim", "8",
                                "--buckets", "1000", "--min-count", "1", "--epochs", "1", "--threads", "1");
        Assert.True(subword.ExitCode == 0, subword.Stderr);
        Assert.Equal(new TokenizerOptions { Lowercase = true }, WordVectors.Load(dir.File("s.bin")).Tokenizer);
        Assert.Equal(new TokenizerOptions { Lowercase = true }, WordVectors.Load(dir.File("s.vec")).Tokenizer);
        Assert.DoesNotContain("Great", WordVectors.Load(dir.File("s.vec")).Vocabulary.Words);   // lowercased

        // The record is an output like the .vocab: not replaced without --force.
        File.Delete(dir.File("v.bin"));
        File.Delete(dir.File("v.vocab"));
        Veclm.AssertCleanError(Veclm.Run("embed", RawCorpus(dir), "-o", dir.File("v.bin"), "--min-count", "1"), 2, "v.tokenizer.json already exists");
    }

    [Fact]
    public void TrainAppliesTheVectorsTokenizerAndPredictReadsRawPrompts()
    {
        using var dir = new TempDir();
        var (corpus, _, model, train) = Trained(dir);
        Assert.Contains("veclm: tokenising the text as the vectors file", train.Stderr);
        Assert.Contains("records: --tokenize", train.Stderr);
        var config = new Checkpoint(model).LoadConfig();
        Assert.Equal(new TokenizerOptions(), config.Tokenizer);
        Assert.Equal(new TokenizerOptions(), config.Training!.Tokenizer);
        Assert.Equal(new TokenizerOptions(), JsonSerializerTokenizer(File.ReadAllText(Path.Combine(model, "config.json"))));

        var raw = Veclm.Run("predict", model, "the film,", "-k", "3");
        var split = Veclm.Run("predict", model, "the", "film", ",", "-k", "3");
        Assert.True(raw.ExitCode == 0, raw.Stderr);
        Assert.DoesNotContain("not in the vocabulary", raw.Stderr);
        Assert.Equal(split.Stdout, raw.Stdout);
        Assert.Contains("records: --tokenize", raw.Stderr);

        var generated = Veclm.Run("generate", model, "they said,", "-n", "3", "--seed", "1", "--temperature", "0");
        Assert.True(generated.ExitCode == 0, generated.Stderr);
        Assert.StartsWith("they said , ", generated.Stdout);   // tokens, space-joined

        var eval = Veclm.Run("eval", model, "--test", corpus, "--json");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        Assert.Contains("\"top1\"", eval.Stdout);

        // --resume keeps the tokenizer: not given, it applies; given otherwise, one line naming it.
        var resumed = Veclm.Run(["train", corpus, "--vectors", dir.File("v.bin"), "-o", model, "--resume", "--epochs", "2", .. Small]);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Veclm.AssertCleanError(Veclm.Run(["train", corpus, "--vectors", dir.File("v.bin"), "-o", model, "--resume", "--epochs", "3",
            "--tokenize", "--lowercase", .. Small]), 2, "--resume: the model");
    }

    [Fact]
    public void AFlagThatContradictsTheRecordIsOneLineAndExitTwo()
    {
        using var dir = new TempDir();
        var (corpus, vectors, model, _) = Trained(dir);
        Veclm.AssertCleanError(Veclm.Run(["train", corpus, "--vectors", vectors, "-o", dir.File("m2.model"), "--tokenize", "--lowercase", .. Small]),
            2, "records --tokenize, not --tokenize --lowercase");
        Assert.False(Directory.Exists(dir.File("m2.model")));
        Veclm.AssertCleanError(Veclm.Run("predict", model, "the film,", "--tokenize", "--lowercase"), 2, "records --tokenize, not --tokenize --lowercase");
        Veclm.AssertCleanError(Veclm.Run("eval", model, "--test", corpus, "--tokenize", "--lowercase"), 2, "not --tokenize --lowercase");
        Veclm.AssertCleanError(Veclm.Run("predict", model, "the film", "--lowercase"), 2, "--lowercase goes with --tokenize");
        var same = Veclm.Run("predict", model, "the film,", "--tokenize");   // what is recorded: fine, and nothing to say
        Assert.True(same.ExitCode == 0, same.Stderr);
        Assert.Equal("", same.Stderr);
    }

    [Fact]
    public void AFolderWithoutARecordReadsWhiteSpaceAndTakesTheFlag()
    {
        using var dir = new TempDir();
        var (corpus, vectors) = TinyCorpus.Write(dir);
        string model = dir.File("old.model");
        var train = Veclm.Run(["train", corpus, "--vectors", vectors, "-o", model, "--epochs", "1", .. Small]);
        Assert.True(train.ExitCode == 0, train.Stderr);
        Assert.DoesNotContain("tokeni", train.Stderr);
        // A folder of an earlier version has no Tokenizer keys at all.
        string configPath = Path.Combine(model, "config.json");
        var json = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        Assert.True(json.Remove("Tokenizer"));
        Assert.True(json["Training"]!.AsObject().Remove("Tokenizer"));
        File.WriteAllText(configPath, json.ToJsonString());
        Assert.Null(new Checkpoint(model).LoadConfig().Tokenizer);

        var plain = Veclm.Run("predict", model, "the cat sat", "-k", "3");
        Assert.True(plain.ExitCode == 0, plain.Stderr);
        Assert.Equal("", plain.Stderr);
        var attached = Veclm.Run("predict", model, "the cat, sat", "-k", "3");
        Assert.Contains("'cat,'", attached.Stderr);
        Assert.Contains("--tokenize splits punctuation off", attached.Stderr);
        var tokenized = Veclm.Run("predict", model, "The cat sat.", "--tokenize", "--lowercase", "-k", "3");
        Assert.True(tokenized.ExitCode == 0, tokenized.Stderr);
        Assert.Contains("records no tokenizer (its text was split on white space): --tokenize --lowercase applies", tokenized.Stderr);
        Assert.Contains("'.'", tokenized.Stderr);   // not in this vocabulary: read as <unk>
        var eval = Veclm.Run("eval", model, "--test", corpus, "--json");
        Assert.True(eval.ExitCode == 0, eval.Stderr);

        // On --resume the text must be read as before, flag or not.
        Veclm.AssertCleanError(Veclm.Run(["train", corpus, "--vectors", vectors, "-o", model, "--resume", "--epochs", "2", "--tokenize", .. Small]),
            2, "records no --tokenize");
    }

    [Fact]
    public void CompareRefusesModelsThatReadTextDifferently()
    {
        using var dir = new TempDir();
        var (corpus, vectors, model, _) = Trained(dir);
        // The same vectors without their record, the training text lowercased ("Great" is "great" here).
        File.Delete(dir.File("v.tokenizer.json"));
        var other = Veclm.Run(["train", corpus, "--vectors", vectors, "-o", dir.File("lower.model"), "--epochs", "1", "--tokenize", "--lowercase", .. Small]);
        Assert.True(other.ExitCode == 0, other.Stderr);
        Assert.Contains("records no tokenizer", other.Stderr);
        Veclm.AssertCleanError(Veclm.Run("compare", model, dir.File("lower.model"), "--test", corpus, "-o", dir.File("report")),
            2, "the models read text differently, so they would be scored on other tokens: m.model --tokenize, lower.model --tokenize --lowercase");
    }

    private static TokenizerOptions? JsonSerializerTokenizer(string config) =>
        System.Text.Json.JsonSerializer.Deserialize<TokenizerOptions>(JsonNode.Parse(config)!["Tokenizer"]!.ToJsonString());
}
