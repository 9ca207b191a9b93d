namespace VecLm.Cli.Tests;

/// <summary>
/// The same 40 vectors as word2vec text, as a Spark Word2VecModel folder and as GloVe text (each with its counts beside
/// it), from the embeddings tests' fixtures: <c>veclm train</c>, <c>predict</c>, <c>neighbors</c> and <c>index</c> give
/// the same output whichever of them they are given; a damaged folder or file is one line and exit 2.
/// </summary>
public class VectorFormatsCommandTests
{
    private static string Fixture(string path) => Path.Combine(AppContext.BaseDirectory, "Fixtures", path);

    /// <summary>The three copies and a training text of TinyCorpus's sentences, whose words the vectors all have.</summary>
    private static (string Corpus, string[] Vectors) Data(TempDir dir)
    {
        File.Copy(Fixture("spark/vectors.txt"), dir.File("w2v.txt"));
        File.Copy(Fixture("spark/vectors.vocab"), dir.File("w2v.vocab"));
        CopyFolder(Fixture("spark/new-layout"), dir.File("spark"));
        File.Copy(Fixture("spark/new-layout.vocab"), dir.File("spark.vocab"));
        File.Copy(Fixture("glove/glove.40w.8d.txt"), dir.File("glove.txt"));
        File.Copy(Fixture("spark/vectors.vocab"), dir.File("glove.vocab"));
        File.WriteAllLines(dir.File("train.txt"), TinyCorpus.Lines(new Random(5), 60));
        return (dir.File("train.txt"), [dir.File("w2v.txt"), dir.File("spark"), dir.File("glove.txt")]);
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string copy = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
    }

    [Fact]
    public void SparkAndGloVeVectorsTrainAndDecodeExactlyAsWord2VecText()
    {
        using var dir = new TempDir();
        var (corpus, vectors) = Data(dir);
        File.WriteAllLines(dir.File("decode.txt"), ["the", "cat", "dog", "park", "song", "naïve", "日本語", "1984"]);
        var predictions = new List<string>();
        foreach (var (v, i) in vectors.Select((v, i) => (v, i)))
        {
            string model = dir.File($"m{i}");
            var train = Veclm.Run("train", corpus, "--vectors", v, "-o", model, "--hidden", "16", "--batch", "4",
                "--bptt", "8", "--epochs", "1", "--max-steps", "6", "--threads", "1", "--seed", "3");
            Assert.True(train.ExitCode == 0, train.Stderr);
            // The vectors found through config.json; then decoding to a word list with --decode-vectors of each kind.
            var predict = Veclm.Run("predict", model, "the", "cat", "-k", "6");
            Assert.True(predict.ExitCode == 0, predict.Stderr);
            var decoded = Veclm.Run("predict", model, "a", "dog", "-k", "4", "--decode-vocab", dir.File("decode.txt"),
                "--decode-vectors", vectors[(i + 1) % 3]);
            Assert.True(decoded.ExitCode == 0, decoded.Stderr);
            predictions.Add(predict.Stdout + decoded.Stdout);
        }
        Assert.Equal(12, predictions[0].Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(predictions[0], predictions[1]);
        Assert.Equal(predictions[0], predictions[2]);
    }

    [Fact]
    public void NeighborsAndIndexTakeEveryKind()
    {
        using var dir = new TempDir();
        var (_, vectors) = Data(dir);
        var exact = vectors.Select(v => Veclm.Run("neighbors", "--vectors", v, "--exact", "the", "naïve", "-k", "5")).ToList();
        Assert.All(exact, r => Assert.True(r.ExitCode == 0, r.Stderr));
        Assert.Contains("Word: naïve  Position in vocabulary: 26", exact[0].Stdout);
        Assert.Equal(exact[0].Stdout, exact[1].Stdout);
        Assert.Equal(exact[0].Stdout, exact[2].Stdout);
        var index = Veclm.Run("index", "--vectors", vectors[1], "-o", dir.File("spark.hnsw"), "--threads", "1");
        Assert.True(index.ExitCode == 0, index.Stderr);
        Assert.Contains("indexed 40 vectors × 8", index.Stdout);
        var hnsw = Veclm.Run("neighbors", "--vectors", vectors[1], "--index", dir.File("spark.hnsw"), "the", "naïve", "-k", "5");
        Assert.Equal(exact[0].Stdout, hnsw.Stdout);
    }

    [Theory]
    [InlineData("truncated part", "a damaged or truncated Parquet file")]
    [InlineData("empty folder", "not a Spark Word2VecModel")]
    [InlineData("no metadata", "no metadata/ folder")]
    [InlineData("glove line", "line 7 has 7 values, line 1 has 8")]
    public void DamagedVectorsAreOneLineAndExitTwo(string damage, string mentions)
    {
        using var dir = new TempDir();
        var (corpus, vectors) = Data(dir);
        string broken = vectors[1];
        switch (damage)
        {
            case "truncated part":
                var part = Directory.GetFiles(Path.Combine(broken, "data"), "part-00001-*")[0];
                File.WriteAllBytes(part, File.ReadAllBytes(part)[..700]);
                break;
            case "empty folder": broken = dir.File("empty"); Directory.CreateDirectory(broken); break;
            case "no metadata": Directory.Delete(Path.Combine(broken, "metadata"), true); break;
            case "glove line":
                broken = vectors[2];
                var lines = File.ReadAllLines(broken);
                lines[6] = lines[6][..lines[6].LastIndexOf(' ')];
                File.WriteAllLines(broken, lines);
                break;
        }
        var train = Veclm.Run("train", corpus, "--vectors", broken, "-o", dir.File("m"), "--max-steps", "1");
        Veclm.AssertCleanError(train, 2, mentions);
        Assert.StartsWith($"veclm: error: {broken}", train.Stderr);
        Assert.False(Directory.Exists(dir.File("m")));
        Veclm.AssertCleanError(Veclm.Run("neighbors", "--vectors", broken, "the"), 2, mentions);
    }
}
