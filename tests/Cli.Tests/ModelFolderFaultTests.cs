using System.Diagnostics;

namespace VecLm.Cli.Tests;

/// <summary>
/// <c>veclm train</c> and the model folder when things go wrong: a folder that holds a model is not overwritten by
/// accident; damaged files are one line and exit 2; a full disk and a read-only folder (real tmpfs mounts) are one
/// line naming the file and the reason, exit 1, the previous checkpoint intact and no temporary file left.
/// </summary>
public class ModelFolderFaultTests
{
    private static string[] Train(string corpus, string vectors, string model, params string[] extra) =>
        ["train", corpus, "--vectors", vectors, "-o", model, "--hidden", "32", "--batch", "4", "--bptt", "8",
         "--threads", "1", "--seed", "1", .. extra];

    [Fact]
    public void AFolderHoldingAModelNeedsResumeOrForce()
    {
        using var dir = new TempDir();
        var (corpus, vectors) = TinyCorpus.Write(dir);
        string model = dir.File("run.model");
        Assert.Equal(0, Veclm.Run(Train(corpus, vectors, model, "--max-steps", "2")).ExitCode);
        byte[] weights = File.ReadAllBytes(Path.Combine(model, "model.weights"));
        Veclm.AssertCleanError(Veclm.Run(Train(corpus, vectors, model, "--max-steps", "2", "--loss", "softmax")), 2, "--force");
        Assert.Equal(weights, File.ReadAllBytes(Path.Combine(model, "model.weights")));
        var forced = Veclm.Run(Train(corpus, vectors, model, "--max-steps", "2", "--loss", "softmax", "--force"));
        Assert.True(forced.ExitCode == 0, forced.Stderr);
        Assert.False(File.Exists(Path.Combine(model, "targets.json")));
        // --resume without the options: the recorded ones (softmax); a different fixed option is named.
        var resumed = Veclm.Run(["train", corpus, "--vectors", vectors, "-o", model, "--resume", "--max-steps", "4"]);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("2 steps", resumed.Stdout);
        Veclm.AssertCleanError(Veclm.Run(Train(corpus, vectors, model, "--resume", "--max-steps", "6", "--dropout", "0.5")), 2, "--dropout");
    }

    [Fact]
    public void DamagedModelFilesAreOneLineAndExitTwo()
    {
        using var dir = new TempDir();
        var (corpus, vectors) = TinyCorpus.Write(dir);
        string model = dir.File("run.model");
        Assert.Equal(0, Veclm.Run(Train(corpus, vectors, model, "--max-steps", "3")).ExitCode);
        string weights = Path.Combine(model, "model.weights"), checkpoint = Path.Combine(model, "checkpoint.bin");
        byte[] good = File.ReadAllBytes(weights);
        var bytes = (byte[])good.Clone();
        Random.Shared.NextBytes(bytes.AsSpan(bytes.Length / 2, 16));
        File.WriteAllBytes(weights, bytes);
        Veclm.AssertCleanError(Veclm.Run("predict", model, "the cat"), 2, "model.weights");
        File.WriteAllBytes(weights, good);
        File.WriteAllBytes(checkpoint, File.ReadAllBytes(checkpoint)[..100]);
        Veclm.AssertCleanError(Veclm.Run(Train(corpus, vectors, model, "--resume", "--max-steps", "5")), 2, "checkpoint.bin");
        File.WriteAllBytes(Path.Combine(model, "config.json"), new byte[200]);
        Veclm.AssertCleanError(Veclm.Run("predict", model, "the cat"), 2, "config.json");
    }

    [Fact]
    public void AFullDiskIsOneLineExitOneThePreviousCheckpointIntactNoTemporaryLeft()
    {
        using var dir = new TempDir();
        var (corpus, vectors) = TinyCorpus.Write(dir, lines: 400);
        string disk = dir.File("disk");
        using var mount = TmpfsMount.Create(disk, "size=2m");
        string model = Path.Combine(disk, "run.model");
        var first = Veclm.Run(Train(corpus, vectors, model, "--max-steps", "5"));
        Assert.True(first.ExitCode == 0, first.Stderr);
        string checkpoint = Path.Combine(model, "checkpoint.bin");
        byte[] before = File.ReadAllBytes(checkpoint);
        long weights = new FileInfo(Path.Combine(model, "model.weights")).Length;
        Assert.True(before.Length > weights + 64 * 1024, $"checkpoint {before.Length} B, weights {weights} B");
        // Room for model.weights again and the small files, not for a second checkpoint beside the first.
        mount.Fill(leave: weights + 32 * 1024);
        var full = Veclm.Run(Train(corpus, vectors, model, "--resume", "--max-steps", "1000"));
        Veclm.AssertCleanError(full, 1, "checkpoint.bin");
        Assert.Contains("No space left on device", full.Stderr);
        Assert.Equal(before, File.ReadAllBytes(checkpoint));
        Assert.Empty(Directory.GetFiles(model, ".*.tmp"));
    }

    [Fact]
    public void AReadOnlyFolderIsOneLineExitOneTheCheckpointIntact()
    {
        using var dir = new TempDir();
        var (corpus, vectors) = TinyCorpus.Write(dir);
        string disk = dir.File("disk");
        using var mount = TmpfsMount.Create(disk, "size=2m");
        string model = Path.Combine(disk, "run.model");
        Assert.Equal(0, Veclm.Run(Train(corpus, vectors, model, "--max-steps", "3")).ExitCode);
        byte[] before = File.ReadAllBytes(Path.Combine(model, "checkpoint.bin"));
        mount.ReadOnly();
        var result = Veclm.Run(Train(corpus, vectors, model, "--resume", "--max-steps", "6"));
        Veclm.AssertCleanError(result, 1, "Read-only file system");
        Assert.Contains(model, result.Stderr);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(model, "checkpoint.bin")));
    }
}

/// <summary>
/// A real small filesystem for a test (<c>mount -t tmpfs</c>, which needs root). Where mounting is not permitted the
/// test fails saying so: it never passes without having run.
/// </summary>
public sealed class TmpfsMount : IDisposable
{
    private readonly string dir;
    private TmpfsMount(string dir) => this.dir = dir;

    public static TmpfsMount Create(string dir, string options)
    {
        Directory.CreateDirectory(dir);
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir);
        if (code != 0) Assert.Fail($"cannot mount a tmpfs at {dir} ({output.Trim()}): this test needs root and mount(8), so it did not run");
        return new TmpfsMount(dir);
    }

    /// <summary>Fills the filesystem with a file, leaving about <paramref name="leave"/> bytes free.</summary>
    public void Fill(long leave)
    {
        long free = new DriveInfo(dir).AvailableFreeSpace;
        using var filler = File.Create(Path.Combine(dir, "filler"));
        filler.Write(new byte[Math.Max(0, free - leave)]);
    }

    public void ReadOnly()
    {
        var (code, output) = Run("mount", "-o", "remount,ro", dir);
        Assert.True(code == 0, $"remount read-only: {output}");
    }

    public void Dispose() => Run("umount", "-l", dir);

    private static (int Code, string Output) Run(string file, params string[] args) => SmallDisk.Run(file, args);
}
