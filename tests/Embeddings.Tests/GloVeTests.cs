using System.Text;
using VecLm.Tests.Shared;

namespace VecLm.Embeddings.Tests;

/// <summary>
/// GloVe's text format and the detection of every format: a GloVe file loads as the same vectors in word2vec text;
/// the first line decides between a word2vec header and a GloVe row, ambiguous lines included; damage is one line.
/// </summary>
public class GloVeTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    [Fact]
    public void AGloVeFileLoadsAsTheSameVectorsInWord2VecText()
    {
        string path = SparkFixtures.GloVe("glove.40w.8d.txt");
        Assert.Equal(VectorFormat.GloVe, VectorFormats.Detect(path));
        var glove = WordVectors.Load(path);
        var text = WordVectors.Load(SparkFixtures.Path("vectors.txt"));
        Assert.Equal(text.Vocabulary.Words, glove.Vocabulary.Words);
        Assert.Equal(text.Data, glove.Data);   // GloVe's six decimals and word2vec's round-trip digits: the same floats
        Assert.False(glove.HasCounts);
    }

    [Fact]
    public void ACountsFileBesideGivesTheCountsAsForWord2Vec()
    {
        using var dir = new TempDir();
        File.Copy(SparkFixtures.GloVe("glove.40w.8d.txt"), dir.File("glove.txt"));
        File.Copy(SparkFixtures.Path("vectors.vocab"), dir.File("glove.vocab"));   // as GloVe's vocab_count writes
        var glove = WordVectors.Load(dir.File("glove.txt"));
        Assert.True(glove.HasCounts);
        Assert.Equal(WordVectors.Load(SparkFixtures.Path("vectors.txt")).Vocabulary.Counts.ToArray(), glove.Vocabulary.Counts.ToArray());
    }

    /// <summary>The first line decides; see <see cref="VectorFormats.Detect"/> for the rule.</summary>
    [Theory]
    [InlineData("3 2\nthe 0.1 0.2\nof 0.3 0.4\nand 0.5 0.6\n", VectorFormat.Text, 3, 2)]
    [InlineData("the 0.1 0.2\nof 0.3 0.4\n", VectorFormat.GloVe, 2, 2)]
    [InlineData("1984 0.1 0.2\nof 0.3 0.4\n", VectorFormat.GloVe, 2, 2)]        // a number for a word
    [InlineData("word 1 2\nof 3 4\n", VectorFormat.GloVe, 2, 2)]               // 2-dim, integer values
    [InlineData("7 1 2\n8 3 4\n", VectorFormat.GloVe, 2, 2)]                   // three integers: no header
    [InlineData("3 1\nx 0.5\ny 0.25\nz 0.125\n", VectorFormat.Text, 3, 1)]      // two integers: a header
    [InlineData("the 0.5\nof -1e-3\n", VectorFormat.GloVe, 2, 1)]               // 1-dim
    [InlineData("\uFEFFthe 0.1 0.2\r\nof 0.3 0.4\r\n", VectorFormat.GloVe, 2, 2)] // a byte-order mark, CRLF
    [InlineData("the\t0.1\t0.2\nof 0.3 0.4", VectorFormat.GloVe, 2, 2)]         // tabs, no final newline
    [InlineData("the 0.1 0.2\n\n \nof 0.3 0.4\n\u00a0\n", VectorFormat.GloVe, 2, 2)]   // blank lines
    public void TheFirstLineDecidesTheFormat(string content, VectorFormat format, int words, int dim)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("v.txt"), content, new UTF8Encoding(false));
        Assert.Equal(format, VectorFormats.Detect(dir.File("v.txt")));
        var loaded = WordVectors.Load(dir.File("v.txt"));
        Assert.Equal(words, loaded.Count);
        Assert.Equal(dim, loaded.Dim);
        Assert.DoesNotContain(loaded.Vocabulary.Words, w => w.Contains('\uFEFF'));
    }

    [Fact]
    public void EveryFormatIsDetectedFromItsBytes()
    {
        string fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");
        Assert.Equal(VectorFormat.Binary, VectorFormats.Detect(Path.Combine(fixtures, "gensim.bin")));
        Assert.Equal(VectorFormat.Text, VectorFormats.Detect(Path.Combine(fixtures, "gensim.txt")));
        Assert.Equal(VectorFormat.FastText, VectorFormats.Detect(Path.Combine(fixtures, "fasttext", "small.bin")));
        Assert.Equal(VectorFormat.GloVe, VectorFormats.Detect(SparkFixtures.GloVe("number-first.txt")));
        Assert.Equal(VectorFormat.Spark, VectorFormats.Detect(SparkFixtures.Path("old-layout")));
        Assert.Equal("1984", WordVectors.Load(SparkFixtures.GloVe("number-first.txt")).Vocabulary[0]);
        using var dir = new TempDir();
        File.WriteAllText(dir.File("hello.txt"), "hello\nworld\n");   // neither: word2vec's reader says what is wrong
        Assert.Equal(VectorFormat.Text, VectorFormats.Detect(dir.File("hello.txt")));
        Assert.Contains("not a word2vec file", Assert.Throws<InvalidDataException>(() => WordVectors.Load(dir.File("hello.txt"))).Message);
    }

    [Fact]
    public void ALongFirstLineIsJudgedByItsWholeFields()
    {
        using var dir = new TempDir();
        var values = Enumerable.Range(0, 20_000).Select(i => (i % 7 * 0.125).ToString(System.Globalization.CultureInfo.InvariantCulture));
        File.WriteAllText(dir.File("wide.txt"), $"the {string.Join(' ', values)}\nof {string.Join(' ', values)}\n");
        Assert.Equal(VectorFormat.GloVe, VectorFormats.Detect(dir.File("wide.txt")));   // past the 64 KB looked at
        Assert.Equal(20_000, WordVectors.Load(dir.File("wide.txt")).Dim);
    }

    [Theory]
    [InlineData("the 0.1 0.2\nof 0.3\n", "line 2 has 1 values, line 1 has 2")]
    [InlineData("the 0.1 0.2\nnew york 0.3 0.4\n", "line 2 has 3 values, line 1 has 2 (a word with a space in it?")]
    [InlineData("the 0.1 0.2\nof 0.3 abc\n", "line 2: 'abc' is not a number")]
    [InlineData("the 0.1 0.2\nthe 0.3 0.4\n", "the word 'the' appears twice")]
    [InlineData("the 0.1 0.2\n\nof 0.3 0.4 0.5\n", "line 3 has 3 values, line 1 has 2")]
    public void DamagedGloVeFilesAreOneLineNamingTheLine(string content, string mentions)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("g.txt"), content);
        AssertRejected(dir.File("g.txt"), mentions);
    }

    [Fact]
    public void InvalidUtf8AndATruncatedLineAreRejected()
    {
        using var dir = new TempDir();
        var good = File.ReadAllBytes(SparkFixtures.GloVe("glove.40w.8d.txt"));
        var invalid = (byte[])good.Clone();
        invalid[Array.IndexOf(invalid, (byte)'\n', 200) + 1] = 0xFF;
        File.WriteAllBytes(dir.File("g.txt"), invalid);
        AssertRejected(dir.File("g.txt"), "is not valid UTF-8");
        File.WriteAllBytes(dir.File("g.txt"), good[..(good.Length - 30)]);
        AssertRejected(dir.File("g.txt"), "line 40 has ");
    }

    [Fact]
    public void FuzzedGloVeFilesLoadOrAreRejectedCleanly()
    {
        using var dir = new TempDir();
        var good = File.ReadAllBytes(SparkFixtures.GloVe("number-first.txt"));
        int loaded = 0;
        foreach (var (name, bytes) in Damage.Fuzz(good, 300, seed: 41))
        {
            File.WriteAllBytes(dir.File("g.txt"), bytes);
            if (Damage.Check(name, () => WordVectors.Load(dir.File("g.txt")), v => Assert.Equal((long)v.Count * v.Dim, v.Data.Length),
                    Limit, typeof(InvalidDataException), typeof(BadInputException))) loaded++;
        }
        Assert.InRange(loaded, 0, 225);
    }

    private static void AssertRejected(string path, string mentions)
    {
        var e = Assert.Throws<InvalidDataException>(() => WordVectors.Load(path));
        Assert.StartsWith(path + ":", e.Message);
        Assert.DoesNotContain("\n", e.Message);
        Assert.True(e.Message.Contains(mentions), e.Message);
    }
}
