using VecLm.Embeddings.FastText;
using VecLm.Tests.Shared;

namespace VecLm.Embeddings.Tests;

/// <summary>Where the tokenizer is recorded beside vectors (the .tokenizer.json file), and how a recorded one is chosen.</summary>
public class TokenizerRecordTests
{
    private static readonly TokenizerOptions Lowercase = new() { Lowercase = true };

    private static WordVectors Sample(TokenizerOptions? tokenizer = null, string extra = "naïve")
    {
        string[] words = ["</s>", "the", "film", ",", extra];
        var random = new Random(4);
        var data = Enumerable.Range(0, words.Length * 3).Select(_ => (float)random.NextDouble()).ToArray();
        return new WordVectors(new Vocabulary(words, [9, 8, 7, 6, 5]), 3, data) { Tokenizer = tokenizer };
    }

    [Theory]
    [InlineData(VectorFormat.Binary)]
    [InlineData(VectorFormat.Text)]
    [InlineData(VectorFormat.FastText)]
    public void TheTokenizerIsSavedAndLoadedWithTheVectors(VectorFormat format)
    {
        using var dir = new TempDir();
        Sample(Lowercase).Save(dir.File("v.bin"), format);
        Assert.True(File.Exists(dir.File("v.tokenizer.json")));
        Assert.Equal(Lowercase, WordVectors.Load(dir.File("v.bin")).Tokenizer);
        Assert.Equal(Lowercase, WordVectors.TokenizerOf(dir.File("v.bin")));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void VectorsWithoutATokenizerHaveNoFileAndSavingOverOneRemovesIt()
    {
        using var dir = new TempDir();
        Sample().Save(dir.File("v.bin"));
        Assert.False(File.Exists(dir.File("v.tokenizer.json")));
        Assert.Null(WordVectors.Load(dir.File("v.bin")).Tokenizer);
        Sample(new TokenizerOptions()).Save(dir.File("v.bin"));
        Assert.Equal(new TokenizerOptions(), WordVectors.Load(dir.File("v.bin")).Tokenizer);
        Sample().Save(dir.File("v.bin"));   // made again from pre-tokenised text: the old record goes
        Assert.False(File.Exists(dir.File("v.tokenizer.json")));
        Assert.Null(WordVectors.Load(dir.File("v.bin")).Tokenizer);
    }

    [Fact]
    public void ASubwordModelsBinAndVecShareOneFile()
    {
        using var dir = new TempDir();
        var tokenized = SubwordModel.WordLevel(Sample(Lowercase));
        tokenized.Save(dir.File("m.bin"));
        Assert.Equal(Lowercase, WordVectors.Load(dir.File("m.bin")).Tokenizer);
        Assert.Equal(Lowercase, WordVectors.Load(dir.File("m.vec")).Tokenizer);
        Assert.Equal(Lowercase, tokenized.WordVectors().Tokenizer);
    }

    [Fact]
    public void AFileLeftBesideOtherVectorsIsAnError()
    {
        using var dir = new TempDir();
        Sample(Lowercase).Save(dir.File("a.bin"));
        Sample(extra: "other").Save(dir.File("v.bin"));
        File.Copy(dir.File("a.tokenizer.json"), dir.File("v.tokenizer.json"));
        var e = Assert.Throws<InvalidDataException>(() => WordVectors.Load(dir.File("v.bin")));
        Assert.Contains("v.tokenizer.json belongs to other vectors", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[1, 2]")]
    [InlineData("{\"Words\": 5}")]
    [InlineData("{\"Tokenizer\": {\"Version\": 1}, \"Words\": \"five\", \"VocabularyHash\": \"ab\"}")]
    public void ADamagedFileIsInvalidData(string json)
    {
        using var dir = new TempDir();
        Sample().Save(dir.File("v.bin"));
        File.WriteAllText(dir.File("v.tokenizer.json"), json);
        var e = Assert.Throws<InvalidDataException>(() => WordVectors.Load(dir.File("v.bin")));
        Assert.Contains("v.tokenizer.json", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void FuzzedFilesLoadOrAreRejectedCleanly()
    {
        using var dir = new TempDir();
        Sample(Lowercase).Save(dir.File("v.bin"));
        var good = File.ReadAllBytes(dir.File("v.tokenizer.json"));
        int loaded = 0;
        foreach (var (name, bytes) in Damage.Fuzz(good, 300, seed: 17))
        {
            File.WriteAllBytes(dir.File("v.tokenizer.json"), bytes);
            if (Damage.Check(name, () => WordVectors.Load(dir.File("v.bin")), v => Assert.NotNull(v.Tokenizer),
                             TimeSpan.FromSeconds(10), typeof(InvalidDataException)))
                loaded++;
        }
        Assert.InRange(loaded, 0, 299);   // a flipped bit in white space can leave a good file
    }

    [Fact]
    public void ANewerVersionIsRejected()
    {
        using var dir = new TempDir();
        Sample(Lowercase).Save(dir.File("v.bin"));
        File.WriteAllText(dir.File("v.tokenizer.json"), File.ReadAllText(dir.File("v.tokenizer.json")).Replace("\"Version\": 1", "\"Version\": 2"));
        var e = Assert.Throws<InvalidDataException>(() => WordVectors.Load(dir.File("v.bin")));
        Assert.Contains("tokenizer version 2", e.Message);
    }

    [Fact]
    public void ARecordedTokenizerAppliesByItself()
    {
        var choice = TokenizerOptions.Choose(Lowercase, null, "the vectors 'v.bin'");
        Assert.Equal(Lowercase, choice.Tokenizer);
        Assert.Equal("tokenising the text as the vectors 'v.bin' records: --tokenize --lowercase", choice.Note);
        Assert.Equal(new TokenizerChoice(Lowercase, null), TokenizerOptions.Choose(Lowercase, Lowercase, "x"));
        Assert.Equal(new TokenizerChoice(null, null), TokenizerOptions.Choose(null, null, "x"));
    }

    [Fact]
    public void AFlagAppliesWhereNoneIsRecordedExceptOnResume()
    {
        var choice = TokenizerOptions.Choose(null, Lowercase, "the model 'm'");
        Assert.Equal(Lowercase, choice.Tokenizer);
        Assert.Contains("records no tokenizer", choice.Note);
        var e = Assert.Throws<BadInputException>(() => TokenizerOptions.Choose(null, Lowercase, "the model 'm'", resume: true));
        Assert.Equal("--resume: the model 'm' records no --tokenize (text split on white space), not --tokenize --lowercase: " +
                     "its text is read as recorded; drop --tokenize --lowercase, or start again with --force", e.Message);
    }

    [Fact]
    public void AFlagThatDiffersFromTheRecordIsAnError()
    {
        var e = Assert.Throws<BadInputException>(() => TokenizerOptions.Choose(Lowercase, new TokenizerOptions(), "the vectors 'v.bin'"));
        Assert.Equal("the vectors 'v.bin' records --tokenize --lowercase, not --tokenize: its text is read as recorded; " +
                     "drop --tokenize (--tokenize --lowercase applies by itself)", e.Message);
        Assert.Throws<InvalidDataException>(() => TokenizerOptions.Choose(new TokenizerOptions { Version = 2 }, null, "x"));
    }
}
