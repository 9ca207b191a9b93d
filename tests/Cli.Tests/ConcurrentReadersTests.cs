namespace VecLm.Cli.Tests;

/// <summary>Several veclm processes reading the same vectors and index at once answer as one process does.</summary>
public class ConcurrentReadersTests
{
    [Fact]
    public void FourNeighborsProcessesAtOnceMatchASingleRunByteForByte()
    {
        using var dir = new TempDir();
        var vectors = OutputFiles.Vectors(dir.File("v.bin"), count: 3000, dim: 16);
        string queries = OutputFiles.Queries(dir.File("q.txt"), vectors, 400);
        string[] index = ["index", "--vectors", dir.File("v.bin"), "-o", dir.File("v.hnsw"), "--threads", "1", "--seed", "4", "--force"];
        Assert.Equal(0, Veclm.Run(index).ExitCode);
        string[] neighbors = ["neighbors", "--vectors", dir.File("v.bin"), "--index", dir.File("v.hnsw"), "--query-file", queries, "-k", "10", "--ef", "50"];
        var single = Veclm.Run(neighbors);
        Assert.Equal(0, single.ExitCode);
        Assert.Equal(400 * 10, single.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        // Four readers at once, to stdout and to files, while a fifth process rewrites the index in place (--force,
        // the same seed on one thread: the same bytes): a reader sees the old file or the new one, never half of one.
        var readers = Enumerable.Range(0, 4).Select(i => Task.Run(() => i % 2 == 0
            ? Veclm.Run(neighbors)
            : Veclm.Run([.. neighbors, "-o", dir.File($"hits{i}.tsv")]))).ToList();
        var writer = Task.Run(() => Veclm.Run(index));
        Task.WaitAll([.. readers, writer]);
        Assert.Equal(0, writer.Result.ExitCode);
        for (int i = 0; i < readers.Count; i++)
        {
            var result = readers[i].Result;
            Assert.True(result.ExitCode == 0, $"reader {i}: {result.Stderr}");
            Assert.Equal(single.Stdout, i % 2 == 0 ? result.Stdout : File.ReadAllText(dir.File($"hits{i}.tsv")));
        }
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }
}
