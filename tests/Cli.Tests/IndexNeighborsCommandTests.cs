using System.Globalization;
using VecLm.Embeddings;

namespace VecLm.Cli.Tests;

public class IndexNeighborsCommandTests
{
    private const int Dim = 8;

    /// <summary>400 random words w0…w399 of dimension 8, seeded, saved in the word2vec binary format.</summary>
    private static WordVectors Vectors(TempDir dir, string name = "v.bin", int seed = 5)
    {
        var random = new Random(seed);
        var words = Enumerable.Range(0, 400).Select(i => $"w{i}").ToArray();
        var data = Enumerable.Range(0, 400 * Dim).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var vectors = new WordVectors(new Vocabulary(words, words.Select((_, i) => 1000L - i).ToArray()), Dim, data);
        vectors.Save(dir.File(name));
        return vectors;
    }

    private static List<string[]> Rows(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();

    [Fact]
    public void IndexThenNeighborsAgreesWithExactSearch()
    {
        using var dir = new TempDir();
        Vectors(dir);
        var built = Veclm.Run("index", "--vectors", dir.File("v.bin"), "-o", dir.File("v.hnsw"), "--m", "8", "--threads", "1");
        Assert.Equal(0, built.ExitCode);
        Assert.Contains("indexed 400 vectors", built.Stdout);
        var hnsw = Veclm.Run("neighbors", "--vectors", dir.File("v.bin"), "--index", dir.File("v.hnsw"), "w3", "w17", "-k", "5", "--ef", "100");
        var exact = Veclm.Run("neighbors", "--vectors", dir.File("v.bin"), "--exact", "w3", "w17", "-k", "5");
        Assert.Equal(0, hnsw.ExitCode);
        Assert.Equal(exact.Stdout, hnsw.Stdout);
        Assert.Contains("Word: w3  Position in vocabulary: 3", hnsw.Stdout);
        var lines = hnsw.Stdout.Split('\n').Where(l => l.Contains('\t')).ToList();
        Assert.Equal(10, lines.Count);
        Assert.DoesNotContain(lines, l => l.StartsWith("w3 ") || l.StartsWith("w17 "));
        Assert.Equal("", hnsw.Stderr);
    }

    [Fact]
    public void QueryFileWritesRankedRowsAndTheSearchRate()
    {
        using var dir = new TempDir();
        var vectors = Vectors(dir);
        var lines = new List<string> { $"3 {Dim}" };
        foreach (int id in new[] { 10, 20, 10 })
            lines.Add($"q{id} " + string.Join(' ', vectors[id].ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        File.WriteAllLines(dir.File("q.txt"), lines);
        var result = Veclm.Run("neighbors", "--vectors", dir.File("v.bin"), "--query-file", dir.File("q.txt"), "-k", "3", "-o", dir.File("hits.tsv"));
        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^built the HNSW index of 400 vectors in [\d.]+ s", result.Stderr);
        Assert.Matches(@"searched 3 queries in [\d.]+ s on \d+ threads?: \d+ queries/s \(\d+ per thread\)\n$", result.Stderr);
        var rows = Rows(File.ReadAllText(dir.File("hits.tsv")));
        Assert.Equal(9, rows.Count);
        Assert.All(rows, r => Assert.Equal(4, r.Length));
        Assert.Equal(["q10", "1", "w10", "1.000000"], rows[0]);
        Assert.Equal(["q20", "1", "w20"], rows[3][..3]);
        Assert.Equal(["1", "2", "3"], rows.Take(3).Select(r => r[1]));

        // One thread, exact search and HNSW: the same rows; --threads 0 is a usage error.
        var one = Veclm.Run("neighbors", "--vectors", dir.File("v.bin"), "--query-file", dir.File("q.txt"), "-k", "3", "--threads", "1", "--exact");
        Assert.Equal(0, one.ExitCode);
        Assert.Contains("on 1 thread:", one.Stderr);
        Assert.Equal(File.ReadAllText(dir.File("hits.tsv")), one.Stdout);
        Veclm.AssertCleanError(Veclm.Run("neighbors", "--vectors", dir.File("v.bin"), "--query-file", dir.File("q.txt"), "--threads", "0"), 2, "--threads");
    }

    [Fact]
    public void AnalogyLeavesOutItsWordsAndUnknownWordsAreReported()
    {
        using var dir = new TempDir();
        Vectors(dir);
        var analogy = Veclm.Run("neighbors", "--vectors", dir.File("v.bin"), "--positive", "w1", "w2", "--negative", "w3", "-k", "4", "--exact");
        Assert.Equal(0, analogy.ExitCode);
        var words = Rows(analogy.Stdout).Select(r => r[0].Trim()).ToList();
        Assert.Equal(4, words.Count);
        Assert.Empty(words.Intersect(["w1", "w2", "w3"]));

        var unknown = Veclm.Run("neighbors", "--vectors", dir.File("v.bin"), "--exact", "w5", "nosuchword", "-k", "2");
        Assert.Equal(0, unknown.ExitCode);
        Assert.Contains("Word: w5", unknown.Stdout);
        Assert.Equal("veclm: warning: 'nosuchword' is not in the vocabulary\n", unknown.Stderr);
    }

    [Fact]
    public void AnIndexOfOtherVectorsOrACorruptIndexIsACleanError()
    {
        using var dir = new TempDir();
        Vectors(dir);
        Vectors(dir, "other.bin", seed: 6);
        Assert.Equal(0, Veclm.Run("index", "--vectors", dir.File("v.bin"), "-o", dir.File("v.hnsw")).ExitCode);
        Veclm.AssertCleanError(Veclm.Run("neighbors", "--vectors", dir.File("other.bin"), "--index", dir.File("v.hnsw"), "w1"), 2, "other vectors");
        var bytes = File.ReadAllBytes(dir.File("v.hnsw"));
        File.WriteAllBytes(dir.File("v.hnsw"), bytes[..(bytes.Length - 7)]);
        Veclm.AssertCleanError(Veclm.Run("neighbors", "--vectors", dir.File("v.bin"), "--index", dir.File("v.hnsw"), "w1"), 2, "truncated");
    }

    [Fact]
    public void BadOptionValuesAreCleanErrors()
    {
        using var dir = new TempDir();
        Vectors(dir);
        Veclm.AssertCleanError(Veclm.Run("neighbors", "--vectors", dir.File("v.bin"), "w1", "-k", "0"), 2, "-k");
        Veclm.AssertCleanError(Veclm.Run("neighbors", "--vectors", dir.File("v.bin"), "w1", "--ef", "0"), 2, "--ef");
        Veclm.AssertCleanError(Veclm.Run("index", "--vectors", dir.File("v.bin"), "-o", dir.File("x"), "--m", "1"), 2, "M must be");
        Veclm.AssertCleanError(Veclm.Run("neighbors", "--vectors", dir.File("none.bin"), "w1"), 2, "not found");
        Veclm.AssertCleanError(Veclm.Run("neighbors", "--vectors", dir.File("v.bin")), 2, "exactly one of");
    }
}
