using VecLm.Embeddings;

namespace VecLm.Embeddings.Tests;

/// <summary>The word2vec binary and text formats: round-trips, files from gensim, and broken files.</summary>
public class FormatTests
{
    private static WordVectors Sample()
    {
        string[] words = ["</s>", "the", "jury", "naïve", "<unk>"];
        long[] counts = [10, 9, 5, 3, 2];
        var random = new Random(4);
        var data = Enumerable.Range(0, words.Length * 7).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        return new WordVectors(new Vocabulary(words, counts), 7, data);
    }

    [Theory]
    [InlineData(VectorFormat.Binary)]
    [InlineData(VectorFormat.Text)]
    public void RoundTripKeepsWordsCountsAndVectors(VectorFormat format)
    {
        using var dir = new TempDir();
        var vectors = Sample();
        vectors.Save(dir.File("v.bin"), format);
        Assert.Equal(format, VectorFormats.Detect(dir.File("v.bin")));
        var loaded = WordVectors.Load(dir.File("v.bin"));
        Assert.Equal(vectors.Vocabulary.Words, loaded.Vocabulary.Words);
        Assert.Equal(vectors.Vocabulary.Counts.ToArray(), loaded.Vocabulary.Counts.ToArray());
        Assert.True(loaded.HasCounts);
        Assert.Equal(vectors.Data, loaded.Data); // text uses round-trip formatting: exact too
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void WithoutAVocabFileCountsAreRankStandIns()
    {
        using var dir = new TempDir();
        Sample().Save(dir.File("v.bin"));
        File.Delete(dir.File("v.vocab"));
        var loaded = WordVectors.Load(dir.File("v.bin"));
        Assert.False(loaded.HasCounts);
        Assert.Equal(new long[] { 5, 4, 3, 2, 1 }, loaded.Vocabulary.Counts.ToArray());
    }

    [Theory]
    [InlineData(VectorFormat.Binary)]
    [InlineData(VectorFormat.Text)]
    public void TruncatedFilesAreRejected(VectorFormat format)
    {
        using var dir = new TempDir();
        Sample().Save(dir.File("v.bin"), format);
        var bytes = File.ReadAllBytes(dir.File("v.bin"));
        File.WriteAllBytes(dir.File("v.bin"), bytes[..(bytes.Length - 20)]);
        var e = Assert.Throws<InvalidDataException>(() => WordVectors.Load(dir.File("v.bin"), format));
        Assert.Contains("v.bin", e.Message);
    }

    [Theory]
    [InlineData(VectorFormat.Binary, "5 6")]
    [InlineData(VectorFormat.Binary, "5 8")]
    [InlineData(VectorFormat.Text, "5 6")]
    [InlineData(VectorFormat.Binary, "4 7")]
    [InlineData(VectorFormat.Text, "4 7")]
    [InlineData(VectorFormat.Binary, "hello")]
    public void AHeaderThatDisagreesWithTheBodyIsRejected(VectorFormat format, string header)
    {
        using var dir = new TempDir();
        Sample().Save(dir.File("v.bin"), format);
        var bytes = File.ReadAllBytes(dir.File("v.bin"));
        int newline = Array.IndexOf(bytes, (byte)'\n');
        File.WriteAllBytes(dir.File("v.bin"), [.. System.Text.Encoding.ASCII.GetBytes(header), .. bytes[newline..]]);
        Assert.Throws<InvalidDataException>(() => WordVectors.Load(dir.File("v.bin"), format));
    }

    [Fact]
    public void AVocabFileOfOtherVectorsIsRejected()
    {
        using var dir = new TempDir();
        Sample().Save(dir.File("v.bin"));
        File.WriteAllText(dir.File("v.vocab"), "the 3\nother 2\n");
        Assert.Throws<InvalidDataException>(() => WordVectors.Load(dir.File("v.bin")));
    }

    [Fact]
    public void AMissingFileIsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => WordVectors.Load("/nonexistent/vectors.bin"));
    }

    /// <summary>Files written by gensim 4.2 (Debian's python3-gensim): see Fixtures/make-gensim-fixture.py.</summary>
    [Fact]
    public void GensimFilesLoadWithTheSameVectors()
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "Fixtures");
        var binary = WordVectors.Load(Path.Combine(dir, "gensim.bin"));
        var text = WordVectors.Load(Path.Combine(dir, "gensim.txt"));
        Assert.Equal(VectorFormat.Binary, VectorFormats.Detect(Path.Combine(dir, "gensim.bin")));
        Assert.Equal(VectorFormat.Text, VectorFormats.Detect(Path.Combine(dir, "gensim.txt")));
        Assert.Equal(binary.Vocabulary.Words, text.Vocabulary.Words);
        Assert.Equal(binary.Dim, text.Dim);
        for (int i = 0; i < binary.Data.Length; i++) Assert.Equal(binary.Data[i], text.Data[i], 5);
        // The expected values, printed by gensim itself when it wrote the files.
        var expected = File.ReadAllLines(Path.Combine(dir, "gensim-expected.txt"));
        foreach (var line in expected)
        {
            var parts = line.Split(' ');
            var row = binary[parts[0]];
            for (int j = 0; j < row.Length; j++)
                Assert.Equal(float.Parse(parts[j + 1], System.Globalization.CultureInfo.InvariantCulture), row[j], 6);
        }
    }
}
