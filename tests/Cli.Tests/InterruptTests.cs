using System.Diagnostics;
using System.Runtime.InteropServices;

namespace VecLm.Cli.Tests;

/// <summary>Ctrl+C (SIGINT) during <c>veclm train</c>: a checkpoint, exit 130, a run that resumes — never a crash.</summary>
public partial class InterruptTests
{
    [Fact]
    public void SigintSavesACheckpointAndExits130ThenTheRunResumes()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var dir = new TempDir();
        var (corpus, vectors) = TinyCorpus.Write(dir, lines: 400, dim: 16);
        string model = dir.File("run.model");
        string[] train = ["train", corpus, "--vectors", vectors, "-o", model, "--hidden", "128", "--batch", "8",
                          "--bptt", "16", "--threads", "1", "--seed", "1"];

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "veclm.dll"));
        foreach (var a in train.Concat(["--max-steps", "1000000", "--epochs", "100000"])) start.ArgumentList.Add(a);
        start.Environment["CI"] = "true";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(model, "config.json")) && clock.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(100);
        Thread.Sleep(2000);                           // well into the training steps (LSTM backward passes)
        Assert.Equal(0, kill(process.Id, 2));         // SIGINT
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "veclm did not stop after SIGINT");

        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}: {stderr.Result}");
        Assert.Contains("interrupted", stderr.Result);
        Assert.Contains("checkpoint saved", stdout.Result);
        using var state = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "state.json")));
        long step = state.RootElement.GetProperty("Step").GetInt64();
        Assert.True(step > 0);
        var resumed = Veclm.Run([.. train, "--max-steps", (step + 5).ToString(), "--resume", "--epochs", "100000"]);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("5 steps", resumed.Stdout);
    }

    [LibraryImport("libc")]
    private static partial int kill(int pid, int signal);
}
