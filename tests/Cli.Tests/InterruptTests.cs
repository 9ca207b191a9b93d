using System.Diagnostics;
using System.Runtime.InteropServices;

namespace VecLm.Cli.Tests;

/// <summary>
/// Signals during <c>veclm train</c>, sent for real: Ctrl+C (SIGINT), SIGTERM and SIGHUP save a checkpoint and exit
/// 130, 143, 129 with a line saying how to resume, and the run resumes — never a crash; <c>kill -9</c> at a random
/// moment loses at most one checkpoint interval.
/// </summary>
public partial class InterruptTests
{
    /// <summary>Whether this process ignores <paramref name="signal"/> (the SigIgn mask of /proc/self/status).</summary>
    internal static bool IgnoredHere(int signal)
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:"));
        return line is not null && (Convert.ToUInt64(line[7..].Trim(), 16) >> (signal - 1) & 1) == 1;
    }

    private static string[] TrainArguments(TempDir dir, out string model, int lines = 400)
    {
        var (corpus, vectors) = TinyCorpus.Write(dir, lines: lines, dim: 16);
        model = dir.File("run.model");
        return ["train", corpus, "--vectors", vectors, "-o", model, "--hidden", "128", "--batch", "8",
                "--bptt", "16", "--threads", "1", "--seed", "1"];
    }

    [SkippableTheory]
    [InlineData(2, 130, "interrupted")]
    [InlineData(15, 143, "SIGTERM")]
    [InlineData(1, 129, "SIGHUP")]
    public void ASignalSavesACheckpointAndExitsWithItsCodeThenTheRunResumes(int signal, int exitCode, string says)
    {
        if (!OperatingSystem.IsLinux()) return;
        // A signal this process ignores (SIGHUP under nohup) is ignored by the veclm it starts too, as nohup intends.
        Skip.If(IgnoredHere(signal), $"signal {signal} is ignored by the test process (started under nohup?): veclm inherits that");
        using var dir = new TempDir();
        string[] train = TrainArguments(dir, out string model);
        var (process, stdout, stderr) = Veclm.Start([.. train, "--max-steps", "1000000", "--epochs", "100000"]);
        using (process)
        {
            var clock = Stopwatch.StartNew();
            while (!File.Exists(Path.Combine(model, "config.json")) && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(100);
            Thread.Sleep(2000);                           // well into the training steps (LSTM backward passes)
            Assert.Equal(0, kill(process.Id, signal));
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "veclm did not stop after the signal");
            Assert.True(process.ExitCode == exitCode, $"exit {process.ExitCode}: {stderr.Result}");
        }
        Assert.Contains(says, stderr.Result);
        Assert.Contains("--resume", stderr.Result);
        Assert.Contains("checkpoint saved", stdout.Result);
        Assert.DoesNotContain("   at ", stderr.Result);
        long step = CheckpointStep(model);
        Assert.True(step > 0);
        var resumed = Veclm.Run([.. train, "--max-steps", (step + 5).ToString(), "--resume", "--epochs", "100000"]);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("5 steps", resumed.Stdout);
    }

    [Fact]
    public void ASecondSigtermEndsTheRunAtOnceAndTheLastCheckpointStillResumes()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var dir = new TempDir();
        var (corpus, vectors) = TinyCorpus.Write(dir, lines: 4000, dim: 16);
        string model = dir.File("run.model");
        // Steps of seconds (4,096 tokens through a 512-wide LSTM), so both signals land within one step.
        string[] train = ["train", corpus, "--vectors", vectors, "-o", model, "--hidden", "512", "--batch", "64",
                          "--bptt", "64", "--threads", "1", "--seed", "1", "--checkpoint-every", "1s"];
        var (process, stdout, stderr) = Veclm.Start([.. train, "--max-steps", "1000"]);
        string checkpoint = Path.Combine(model, "checkpoint.bin");
        using (process)
        {
            var clock = Stopwatch.StartNew();
            while (!File.Exists(checkpoint) && clock.Elapsed < TimeSpan.FromSeconds(120)) Thread.Sleep(20);
            Assert.True(File.Exists(checkpoint), "no checkpoint after 120 s");   // written after a step: the next is under way
            Thread.Sleep(300);
            Assert.Equal(0, kill(process.Id, 15));
            Thread.Sleep(300);
            Assert.False(process.HasExited, "the first SIGTERM ended the run before a second could be sent");
            Assert.Equal(0, kill(process.Id, 15));
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)), "a second SIGTERM did not end veclm at once");
            Assert.Equal(143, process.ExitCode);
        }
        Assert.True(stderr.Result.Contains("SIGTERM again: exiting at once"), $"stderr: {stderr.Result}\nstdout: {stdout.Result}");
        Assert.DoesNotContain("checkpoint saved", stdout.Result);
        long step = CheckpointStep(model);                     // the last scheduled checkpoint, whole
        var resumed = Veclm.Run([.. train, "--max-steps", (step + 1).ToString(), "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("1 steps", resumed.Stdout);
    }

    [Fact]
    public void KillNineAtARandomMomentLosesAtMostOneCheckpointIntervalAndTheRunResumes()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var dir = new TempDir();
        // Epochs of about five thousand steps (a Zen 5 machine ran 20,000 lines' epochs fast enough for the last
        // checkpoint before the kill to be an epoch end's): the checkpoints seen are the scheduled ones.
        string[] train = TrainArguments(dir, out string model, lines: 100_000);
        string checkpoint = Path.Combine(model, "checkpoint.bin");
        var interval = TimeSpan.FromSeconds(2);
        var (process, _, stderr) = Veclm.Start([.. train, "--max-steps", "1000000", "--epochs", "100000", "--checkpoint-every", "2s"]);
        DateTime killedAt;
        using (process)
        {
            var clock = Stopwatch.StartNew();
            while (!File.Exists(checkpoint) && clock.Elapsed < TimeSpan.FromSeconds(90)) Thread.Sleep(50);
            Assert.True(File.Exists(checkpoint), $"no scheduled checkpoint after 90 s: {(process.HasExited ? stderr.Result : "")}");
            // At a random moment 4–8 s on: past at least one more scheduled checkpoint, so a schedule that wrote only
            // the first one would leave a checkpoint older than the bound below.
            Thread.Sleep(Random.Shared.Next(4000, 8000));
            killedAt = DateTime.UtcNow;
            Assert.Equal(0, kill(process.Id, 9));
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)));
        }
        // The checkpoint is whole (its checksum holds) and at most one interval old, plus a step and its write (2 s
        // allowed for those on a loaded machine).
        var lost = killedAt - File.GetLastWriteTimeUtc(checkpoint);
        Assert.True(lost < interval + TimeSpan.FromSeconds(2), $"the last checkpoint was {lost.TotalSeconds:0.00} s old at the kill");
        var state = CheckpointState(model);
        Assert.True(state.NextChunk > 0, "the checkpoint is not a scheduled one within an epoch");
        long step = state.Step;
        var resumed = Veclm.Run([.. train, "--max-steps", (step + 3).ToString(), "--resume", "--epochs", "100000", "--checkpoint-every", "2s"]);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("3 steps", resumed.Stdout);
        Assert.Empty(Directory.GetFiles(model, ".*.tmp"));   // a write the kill cut short leaves nothing behind after the resume
    }

    /// <summary>The state in the model folder's checkpoint (its checksum verified).</summary>
    internal static Regressor.TrainerState CheckpointState(string model)
    {
        string path = Path.Combine(model, "checkpoint.bin");
        var parts = Regressor.SealedFile.Read(path, Regressor.ResumePoint.Kind);
        return Regressor.ResumePoint.ParseState(parts["state"], path);
    }

    internal static long CheckpointStep(string model) => CheckpointState(model).Step;

    [LibraryImport("libc")]
    private static partial int kill(int pid, int signal);
}
