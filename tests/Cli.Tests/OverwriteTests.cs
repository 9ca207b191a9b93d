namespace VecLm.Cli.Tests;

/// <summary>
/// No command replaces a file by accident: <c>embed -o</c> (and the .vocab beside it), <c>index -o</c>,
/// <c>neighbors -o</c> and <c>compare -o</c> (a folder holding a report) refuse an existing output with one line and
/// exit 2, before any work, and leave it as it was; <c>--force</c> replaces it.
/// </summary>
public class OverwriteTests
{
    private static readonly byte[] Old = "an earlier file, kept"u8.ToArray();

    private static void AssertRefused(Veclm.Result result, string path)
    {
        Veclm.AssertCleanError(result, 2, $"{path} already exists (--force replaces it)");
        Assert.Equal(Old, File.ReadAllBytes(path));
    }

    [Fact]
    public void EmbedRefusesExistingVectorsOrVocabUnlessForced()
    {
        using var dir = new TempDir();
        string corpus = OutputFiles.Corpus(dir.File("c.txt"), lines: 300, words: 50);
        string[] embed = ["embed", corpus, "-o", dir.File("v.bin"), "--dim", "8", "--epochs", "1", "--min-count", "1"];
        File.WriteAllBytes(dir.File("v.bin"), Old);
        AssertRefused(Veclm.Run(embed), dir.File("v.bin"));
        File.Delete(dir.File("v.bin"));
        File.WriteAllBytes(dir.File("v.vocab"), Old);
        AssertRefused(Veclm.Run(embed), dir.File("v.vocab"));
        Assert.False(File.Exists(dir.File("v.bin")));

        File.WriteAllBytes(dir.File("v.bin"), Old);
        var forced = Veclm.Run([.. embed, "--force"]);
        Assert.Equal(0, forced.ExitCode);
        Assert.Equal(8, Embeddings.WordVectors.Load(dir.File("v.bin")).Dim);
        Assert.True(Embeddings.WordVectors.Load(dir.File("v.bin")).HasCounts);
    }

    [Fact]
    public void IndexAndNeighborsRefuseAnExistingOutputUnlessForced()
    {
        using var dir = new TempDir();
        var vectors = OutputFiles.Vectors(dir.File("v.bin"), count: 200);
        string queries = OutputFiles.Queries(dir.File("q.txt"), vectors, 5);
        File.WriteAllBytes(dir.File("v.hnsw"), Old);
        string[] index = ["index", "--vectors", dir.File("v.bin"), "-o", dir.File("v.hnsw"), "--threads", "1"];
        AssertRefused(Veclm.Run(index), dir.File("v.hnsw"));
        Assert.Equal(0, Veclm.Run([.. index, "--force"]).ExitCode);

        File.WriteAllBytes(dir.File("hits.tsv"), Old);
        string[] neighbors = ["neighbors", "--vectors", dir.File("v.bin"), "--index", dir.File("v.hnsw"), "--query-file", queries, "-o", dir.File("hits.tsv")];
        AssertRefused(Veclm.Run(neighbors), dir.File("hits.tsv"));
        Assert.Equal(0, Veclm.Run([.. neighbors, "--force"]).ExitCode);
        Assert.Equal(5 * 10, File.ReadAllLines(dir.File("hits.tsv")).Length);
    }

    [Fact]
    public void CompareRefusesAFolderHoldingAReportUnlessForced()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("test.txt"), "a b c\n");
        Directory.CreateDirectory(dir.File("report"));
        File.WriteAllBytes(dir.File("report/report.md"), Old);
        string[] compare = ["compare", dir.File("missing.model"), "--test", dir.File("test.txt"), "-o", dir.File("report")];
        Veclm.AssertCleanError(Veclm.Run(compare), 2, $"{dir.File("report")} already holds a report (report.md; --force replaces it)");
        Assert.Equal(Old, File.ReadAllBytes(dir.File("report/report.md")));
        // With --force the folder is accepted, and compare goes on to the models (missing here).
        Veclm.AssertCleanError(Veclm.Run([.. compare, "--force"]), 2, "model folder not found");
        // An empty folder or a new one is no report to lose; a file is no folder.
        Directory.CreateDirectory(dir.File("empty"));
        Veclm.AssertCleanError(Veclm.Run([.. compare[..^1], dir.File("empty")]), 2, "model folder not found");
        Veclm.AssertCleanError(Veclm.Run([.. compare[..^1], dir.File("new/report")]), 2, "model folder not found");
        Veclm.AssertCleanError(Veclm.Run([.. compare[..^1], dir.File("test.txt")]), 2, "the report folder is a file");
    }
}
