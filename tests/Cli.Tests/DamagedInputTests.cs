using System.Buffers.Binary;

namespace VecLm.Cli.Tests;

/// <summary>
/// Damaged inputs end to end: a vectors file, its .vocab, a query file and an index, each damaged by hand, are one
/// line naming the file and exit 2 — no stack trace, no "internal error". (The readers' own tests fuzz each format.)
/// </summary>
public class DamagedInputTests
{
    [Fact]
    public void EveryDamagedInputIsOneLineAndExitTwo()
    {
        using var dir = new TempDir();
        var vectors = OutputFiles.Vectors(dir.File("v.bin"), count: 300);
        string queries = OutputFiles.Queries(dir.File("q.txt"), vectors, 4);
        Assert.Equal(0, Veclm.Run("index", "--vectors", dir.File("v.bin"), "-o", dir.File("v.hnsw"), "--threads", "1").ExitCode);
        string[] neighbors = ["neighbors", "--vectors", dir.File("v.bin"), "--index", dir.File("v.hnsw"), "--query-file", queries];
        Assert.Equal(0, Veclm.Run(neighbors).ExitCode);

        void Damaged(string file, Func<byte[], byte[]> damage, string mentions)
        {
            var good = File.ReadAllBytes(file);
            File.WriteAllBytes(file, damage(good));
            var result = Veclm.Run(neighbors);
            Veclm.AssertCleanError(result, 2, mentions);
            Assert.Contains(file, result.Stderr);
            Assert.DoesNotContain("internal error", result.Stderr);
            File.WriteAllBytes(file, good);
        }
        Damaged(dir.File("v.bin"), b => [.. "2147483647 8"u8, .. b[b.AsSpan().IndexOf((byte)'\n')..]], "damaged header");
        Damaged(dir.File("v.bin"), b => b[..(b.Length / 2)], "truncated");
        Damaged(dir.File("v.bin"), b => { var c = (byte[])b.Clone(); c[b.AsSpan().IndexOf("w7 "u8)] = 0xFF; return c; }, "not valid UTF-8");
        Damaged(dir.File("v.vocab"), b => [.. b, .. "w7 -3\n"u8], "expected 'word count'");
        Damaged(queries, b => [.. "-1 8"u8, .. b[b.AsSpan().IndexOf((byte)'\n')..]], "line 1 must be");
        Damaged(queries, b => [.. b[..^2], .. "NaN\n"u8], "not a finite number");
        Damaged(dir.File("v.hnsw"), b => { var c = (byte[])b.Clone(); c[c.Length / 2] ^= 4; return c; }, "checksum does not match");
        Damaged(dir.File("v.hnsw"), b => { var c = (byte[])b.Clone(); BinaryPrimitives.WriteInt32LittleEndian(c.AsSpan(8), 1); return c; },
                "rebuild it with veclm index");
        Assert.Equal(0, Veclm.Run(neighbors).ExitCode);
    }

    [Fact]
    public void NaNInAVectorIsOneWarning()
    {
        using var dir = new TempDir();
        var vectors = OutputFiles.Vectors(dir.File("v.bin"), count: 200);
        var data = (float[])vectors.Data.Clone();
        data[7 * vectors.Dim + 2] = float.NaN;
        new Embeddings.WordVectors(vectors.Vocabulary, vectors.Dim, data).Save(dir.File("v.bin"));
        var result = Veclm.Run("neighbors", "--vectors", dir.File("v.bin"), "--exact", "w1", "-k", "3");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"veclm: warning: {dir.File("v.bin")}: 1 word vector holds NaN or infinity (first: 'w7'), a damaged file? "
                     + "Their cosines are meaningless\n", result.Stderr);
    }
}
