using VecLm.Evaluation;

namespace VecLm.Cli.Tests;

/// <summary>
/// Writing on a real full disk (a 64 KiB tmpfs) and into a read-only folder (a tmpfs remounted read-only, which stops
/// root too): the vectors and their .vocab, the index, the neighbours' rows and the report each fail with one line
/// naming the file and the reason, exit 1, the earlier files byte for byte as they were, and no temporary file left.
/// Mounting needs root (CI runs as root); elsewhere the tests report themselves skipped, with the reason.
/// </summary>
public class WriteFailureTests
{
    private static readonly byte[] Old = "an earlier file, kept"u8.ToArray();
    private static readonly string[] Outputs = ["v.bin", "v.vocab", "v.hnsw", "hits.tsv"];
    private static readonly string[] ReportFiles = [ComparisonReport.ReportFile, ComparisonReport.CurvesPng, ComparisonReport.BandsPng];

    private static SmallDisk Mount()
    {
        var disk = SmallDisk.TryMount(64, out string reason);
        Skip.If(disk is null, reason);
        foreach (var name in Outputs) File.WriteAllBytes(disk!.File(name), Old);
        Directory.CreateDirectory(disk!.File("report"));
        foreach (var name in ReportFiles) File.WriteAllBytes(disk.File($"report/{name}"), Old);
        return disk;
    }

    /// <summary>One line naming <paramref name="file"/> and the reason, exit 1, and the disk exactly as before.</summary>
    private static void AssertFailedCleanly(Veclm.Result result, SmallDisk disk, string file, string reason, string[] before)
    {
        // index and neighbors report their build time on stderr first: the error is the last line, and the only one.
        Assert.Equal(1, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"veclm: error: cannot write {file}: {reason}", lines[^1]);
        Assert.Single(lines, l => l.StartsWith("veclm: "));
        Assert.DoesNotContain("   at ", result.Stderr);
        AssertUnchanged(disk, before);
    }

    private static void AssertUnchanged(SmallDisk disk, string[] before)
    {
        Assert.Equal(before, disk.Names());   // no temporary file left
        foreach (var name in Outputs) Assert.Equal(Old, File.ReadAllBytes(disk.File(name)));
        foreach (var name in ReportFiles) Assert.Equal(Old, File.ReadAllBytes(disk.File($"report/{name}")));
    }

    private static ComparisonReport Report() => new("test.txt",
        [new ModelEvaluation { Name = "a", Loss = "cosine", Rule = "cosine", Top1 = 0.2 },
         new ModelEvaluation { Name = "b", Loss = "softmax", Rule = "softmax", Top1 = 0.1 }],
        [new TrainingCurve("a", [1, 2], [0.1, 0.2])], []);

    [SkippableFact]
    public void AFullDiskKeepsTheEarlierFilesAndLeavesNoTemporaryFile()
    {
        using var dir = new TempDir();
        using var disk = Mount();
        var before = disk.Names();
        // Inputs live elsewhere; each output is far larger than the 64 KiB disk.
        string corpus = OutputFiles.Corpus(dir.File("c.txt"));
        var vectors = OutputFiles.Vectors(dir.File("w.bin"));
        string queries = OutputFiles.Queries(dir.File("q.txt"), vectors, 2000);

        var embed = Veclm.Run("embed", corpus, "-o", disk.File("v.bin"), "--dim", "64", "--epochs", "1", "--min-count", "1", "--force");
        AssertFailedCleanly(embed, disk, disk.File("v.bin"), "No space left on device", before);
        var index = Veclm.Run("index", "--vectors", dir.File("w.bin"), "-o", disk.File("v.hnsw"), "--m", "16", "--force");
        AssertFailedCleanly(index, disk, disk.File("v.hnsw"), "No space left on device", before);
        var neighbors = Veclm.Run("neighbors", "--vectors", dir.File("w.bin"), "--exact", "--query-file", queries,
                                  "-o", disk.File("hits.tsv"), "--force");
        AssertFailedCleanly(neighbors, disk, disk.File("hits.tsv"), "No space left on device", before);
        // The report (compare -o) is written by ComparisonReport.Write: its PNGs do not fit either.
        var e = Assert.ThrowsAny<IOException>(() => Report().Write(disk.File("report")));
        Assert.Matches(@"^cannot write .*/report/[a-z0-9-]+\.(png|md): No space left on device$", e.Message);
        AssertUnchanged(disk, before);
        // Where there is room, the same report is written whole.
        Report().Write(dir.File("report"));
        Assert.StartsWith("# VecLm comparison", File.ReadAllText(dir.File("report/report.md")));
        Assert.Equal(["band-top1.png", "report.md", "validation-top1.png"], Directory.GetFiles(dir.File("report")).Select(Path.GetFileName).Order());
    }

    /// <summary>
    /// The vectors fit on the disk but the .vocab does not: the new vectors, complete in their temporary file, are not
    /// renamed either (AtomicFile.WriteAll), so the disk keeps the earlier pair rather than new vectors with old counts.
    /// </summary>
    [SkippableFact]
    public void AFullDiskWhileWritingTheVocabKeepsTheEarlierPair()
    {
        using var disk = Mount();
        var before = disk.Names();
        long free = new DriveInfo(disk.Path).AvailableFreeSpace;
        // One dimension: 12 bytes a word in v.bin ("w00001 " and a float, a newline), 14 in v.vocab ("w00001 100000").
        int count = (int)(free * 0.55 / 12);
        var words = Enumerable.Range(0, count).Select(i => $"w{i:D5}").ToArray();
        var vectors = new Embeddings.WordVectors(new Embeddings.Vocabulary(words, words.Select(_ => 100_000L).ToArray()), 1,
                                                 Enumerable.Range(0, count).Select(i => (float)i).ToArray());
        var e = Assert.ThrowsAny<IOException>(() => vectors.Save(disk.File("v.bin")));
        Assert.Equal($"cannot write {disk.File("v.vocab")}: No space left on device", e.Message);
        AssertUnchanged(disk, before);
    }

    [SkippableFact]
    public void AReadOnlyFolderIsOneLineAndExitOne()
    {
        using var dir = new TempDir();
        using var disk = Mount();
        disk.MakeReadOnly();
        var before = disk.Names();
        string corpus = OutputFiles.Corpus(dir.File("c.txt"), lines: 100, words: 20);
        var vectors = OutputFiles.Vectors(dir.File("w.bin"), count: 100);
        string queries = OutputFiles.Queries(dir.File("q.txt"), vectors, 3);
        const string reason = "Read-only file system";

        AssertFailedCleanly(Veclm.Run("embed", corpus, "-o", disk.File("v.bin"), "--dim", "4", "--min-count", "1", "--force"),
                            disk, disk.File("v.bin"), reason, before);
        AssertFailedCleanly(Veclm.Run("embed", corpus, "-o", disk.File("new.bin"), "--dim", "4", "--min-count", "1"),
                            disk, disk.File("new.bin"), reason, before);
        AssertFailedCleanly(Veclm.Run("index", "--vectors", dir.File("w.bin"), "-o", disk.File("v.hnsw"), "--force"),
                            disk, disk.File("v.hnsw"), reason, before);
        AssertFailedCleanly(Veclm.Run("neighbors", "--vectors", dir.File("w.bin"), "--query-file", queries, "-o", disk.File("hits.tsv"), "--force"),
                            disk, disk.File("hits.tsv"), reason, before);
        AssertFailedCleanly(Veclm.Run("compare", dir.File("a.model"), "--test", corpus, "-o", disk.File("report"), "--force"),
                            disk, disk.File("report/report.md"), reason, before);
        AssertFailedCleanly(Veclm.Run("compare", dir.File("a.model"), "--test", corpus, "-o", disk.File("new/report")),
                            disk, disk.File("new/report"), reason, before);
        var e = Assert.ThrowsAny<IOException>(() => Report().Write(disk.File("report")));
        Assert.Contains(reason, e.Message);
        AssertUnchanged(disk, before);
    }
}
