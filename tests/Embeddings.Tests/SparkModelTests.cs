using System.Text;
using VecLm.Embeddings.Spark;
using VecLm.Tests.Shared;

namespace VecLm.Embeddings.Tests;

/// <summary>
/// Spark Word2VecModel folders (<see cref="SparkModel"/>), from files in Spark's layouts written by other Parquet
/// writers (<see cref="SparkFixtures"/>): both layouts load to the vectors of the same model in word2vec text, in the
/// documented order; every kind of damage is one line naming the folder or its file.
/// </summary>
public class SparkModelTests
{
    private const string Part0 = "part-00000-3f1c2a4e-8b7d-4c6a-9e51-2d0b7f6a4c13-c000.snappy.parquet";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    private static WordVectors Word2Vec() => WordVectors.Load(SparkFixtures.Path("vectors.txt"));

    [Fact]
    public void TheNewLayoutWithItsCountsLoadsAsTheSameVectorsInWord2VecText()
    {
        // new-layout.vocab lies beside the folder: its counts, and the words most frequent first.
        string folder = SparkFixtures.Path("new-layout");
        Assert.Equal(VectorFormat.Spark, VectorFormats.Detect(folder));
        var spark = WordVectors.Load(folder);
        var text = Word2Vec();
        Assert.Equal(text.Vocabulary.Words, spark.Vocabulary.Words);
        Assert.Equal(text.Vocabulary.Counts.ToArray(), spark.Vocabulary.Counts.ToArray());
        Assert.True(spark.HasCounts);
        Assert.Equal(8, spark.Dim);
        Assert.Equal(text.Data, spark.Data);
    }

    [Fact]
    public void TheOldLayoutLoadsInItsIndexOrderAsTheSameVectorsInWord2VecText()
    {
        var spark = WordVectors.Load(SparkFixtures.Path("old-layout"));
        var text = Word2Vec();
        Assert.Equal(text.Vocabulary.Words, spark.Vocabulary.Words);   // the index's order, not the map's
        Assert.Equal(text.Data, spark.Data);
        Assert.False(spark.HasCounts);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => 40L - i), spark.Vocabulary.Counts.ToArray());
    }

    [Fact]
    public void WithoutCountsTheWordsAreInThePartFilesOrderThenTheirRowsOrder()
    {
        using var dir = new TempDir();
        string folder = SparkFixtures.Copy(dir, "new-layout");
        var spark = WordVectors.Load(folder);
        var duck = SparkFixtures.DuckDbRows("new-layout/data/");
        Assert.Equal(40, duck.Count);
        Assert.Equal(duck.Select(r => r.Word), spark.Vocabulary.Words);
        for (int i = 0; i < duck.Count; i++) Assert.Equal(duck[i].Vector, spark[i].ToArray());
        Assert.False(spark.HasCounts);
        Assert.NotEqual(Word2Vec().Vocabulary.Words, spark.Vocabulary.Words);   // the rows are shuffled
        // With the counts copied beside it (a trailing separator on the path too): most frequent first.
        File.Copy(SparkFixtures.Path("new-layout.vocab"), folder + ".vocab");
        Assert.Equal(Word2Vec().Vocabulary.Words, WordVectors.Load(folder + Path.DirectorySeparatorChar).Vocabulary.Words);
    }

    [Fact]
    public void TheRddApisModelIsReadToo()
    {
        using var dir = new TempDir();
        string folder = SparkFixtures.Copy(dir, "new-layout");
        SetMetadata(folder, $"{{\"class\":\"{SparkModel.MllibClass}\",\"version\":\"1.0\",\"vectorSize\":8,\"numWords\":40}}");
        Assert.Equal(40, WordVectors.Load(folder).Count);
        SetMetadata(folder, $"{{\"class\":\"{SparkModel.MllibClass}\",\"version\":\"1.0\",\"vectorSize\":8,\"numWords\":41}}");
        AssertRejected(folder, folder, "the metadata says 41 words, data/ holds 40");
    }

    [Fact]
    public void SortByCountMovesEachRowWithItsWordAndKeepsTiesInOrder()
    {
        string[] words = ["a", "b", "c", "d", "e", "f"];
        long[] counts = [1, 5, 3, 5, 9, 1];
        var data = Enumerable.Range(0, 18).Select(i => (float)i).ToArray();
        var rows = words.Select((w, i) => (w, data[(i * 3)..(i * 3 + 3)])).ToDictionary(p => p.w, p => p.Item2);
        SparkModel.SortByCount(words, counts, data, 3);
        Assert.Equal(["e", "b", "d", "c", "a", "f"], words);
        Assert.Equal([9L, 5, 5, 3, 1, 1], counts);
        for (int i = 0; i < words.Length; i++) Assert.Equal(rows[words[i]], data[(i * 3)..(i * 3 + 3)]);
    }

    /// <summary>Spark's folder with one thing changed: each is an InvalidDataException of one line naming where.</summary>
    [Theory]
    [InlineData("class", "not of a Word2VecModel")]
    [InlineData("vectorSize 9", "its vector has 8 values, vectorSize is 9")]
    [InlineData("no vectorSize", "vectorSize is missing")]
    [InlineData("metadata not JSON", "not Spark's metadata")]
    [InlineData("no metadata/", "no metadata/ folder")]
    [InlineData("no data/", "no data/ folder")]
    [InlineData("no part files", "no part files")]
    [InlineData("truncated part", "a damaged or truncated Parquet file")]
    [InlineData("empty part", "a damaged or truncated Parquet file")]
    [InlineData("a part twice", "the word ")]
    [InlineData("old part among new", "both of Spark's layouts")]
    [InlineData("null-word.parquet", "row 2: its word is null")]
    [InlineData("null-vector.parquet", "row 2 ('the'): its vector is null")]
    [InlineData("null-element.parquet", "row 2 ('the'): its vector holds a null")]
    [InlineData("short-vector.parquet", "row 2 ('the'): its vector has 7 values, vectorSize is 8")]
    [InlineData("double-vector.parquet", "its vector column holds Double, where Spark writes array<float>")]
    public void DamagedFoldersAreOneLineNamingWhatIsWrong(string damage, string mentions)
    {
        using var dir = new TempDir();
        string folder = SparkFixtures.Copy(dir, "new-layout");
        string data = Path.Combine(folder, "data"), part = Path.Combine(data, Part0);
        string where = folder;
        switch (damage)
        {
            case "class": ReplaceInMetadata(folder, "ml.feature.Word2VecModel", "ml.feature.StringIndexerModel"); break;
            case "vectorSize 9": ReplaceInMetadata(folder, "\"vectorSize\":8", "\"vectorSize\":9"); where = part; break;
            case "no vectorSize": ReplaceInMetadata(folder, "\"vectorSize\"", "\"size\""); break;
            case "metadata not JSON": SetMetadata(folder, File.ReadAllText(Path.Combine(folder, "metadata", "part-00000"))[..40]); break;
            case "no metadata/": Directory.Delete(Path.Combine(folder, "metadata"), true); break;
            case "no data/": Directory.Delete(data, true); break;
            case "no part files": foreach (var f in Directory.GetFiles(data, "part-*")) File.Delete(f); break;
            case "truncated part": File.WriteAllBytes(part, Damage.Truncated(File.ReadAllBytes(part), 900)); where = part; break;
            case "empty part": File.WriteAllBytes(part, []); where = part; break;
            case "a part twice": File.Copy(part, Path.Combine(data, Part0.Replace("00000", "00003"))); break;
            case "old part among new":
                File.Copy(Directory.GetFiles(Path.Combine(SparkFixtures.Path("old-layout"), "data"), "part-*")[0], Path.Combine(data, "part-00009.parquet"));
                break;
            default:
                foreach (var f in Directory.GetFiles(data, "part-*")) File.Delete(f);
                File.Copy(SparkFixtures.Path(Path.Combine("bad", damage)), part);
                where = part;
                break;
        }
        AssertRejected(folder, where, mentions);
    }

    [Fact]
    public void TheOldLayoutsVectorsAreCheckedAgainstVectorSize()
    {
        using var dir = new TempDir();
        string folder = SparkFixtures.Copy(dir, "old-layout");
        ReplaceInMetadata(folder, "\"vectorSize\":8", "\"vectorSize\":9");
        AssertRejected(folder, folder, "wordVectors holds 320 values; its 40 words of vectorSize 9 need 360");
    }

    [Fact]
    public void DataPageV2WhichParquetNetCannotReadNestedIsSaidSo()
    {
        // hyparquet-writer writes v2 pages only; Parquet.Net 6.1 throws NotImplementedException on a repeated column.
        string folder = SparkFixtures.Path("new-layout-pagev2");
        AssertRejected(folder, Path.Combine(folder, "data", Part0), "data page v2");
    }

    [Fact]
    public void AVectorSizeNoArrayHoldsIsRejectedBeforeAllocating()
    {
        using var dir = new TempDir();
        string folder = SparkFixtures.Copy(dir, "new-layout");
        ReplaceInMetadata(folder, "\"vectorSize\":8", "\"vectorSize\":100000000");
        long before = GC.GetAllocatedBytesForCurrentThread();
        AssertRejected(folder, folder, "more values than one array holds");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 20);
    }

    [Fact]
    public void AFolderThatIsNoSparkModelIsSaidSo()
    {
        using var dir = new TempDir();
        AssertRejected(dir.Path, dir.Path, "not a Spark Word2VecModel");
    }

    /// <summary>Seeded mutations of one part file: each loads usable vectors or is rejected cleanly, in time.</summary>
    [Fact]
    public void FuzzedPartFilesLoadOrAreRejectedCleanly()
    {
        using var dir = new TempDir();
        string folder = SparkFixtures.Copy(dir, "new-layout");
        string part = Path.Combine(folder, "data", Part0);
        var good = File.ReadAllBytes(part);
        int loaded = 0;
        foreach (var (name, bytes) in Damage.Fuzz(good, 200, seed: 17))
        {
            File.WriteAllBytes(part, bytes);
            if (Damage.Check(name, () => WordVectors.Load(folder), v => Assert.Equal(40, v.Count), Limit,
                    typeof(InvalidDataException), typeof(BadInputException))) loaded++;
        }
        Assert.InRange(loaded, 0, 150);
    }

    private static void SetMetadata(string folder, string json) =>
        File.WriteAllText(Path.Combine(folder, "metadata", "part-00000"), json + "\n", new UTF8Encoding(false));

    private static void ReplaceInMetadata(string folder, string from, string to) =>
        SetMetadata(folder, File.ReadAllText(Path.Combine(folder, "metadata", "part-00000")).TrimEnd('\n').Replace(from, to));

    private static void AssertRejected(string folder, string where, string mentions)
    {
        var e = Assert.Throws<InvalidDataException>(() => WordVectors.Load(folder));
        Assert.StartsWith(where, e.Message);
        Assert.DoesNotContain("\n", e.Message);
        Assert.True(e.Message.Contains(mentions), e.Message);
    }
}
