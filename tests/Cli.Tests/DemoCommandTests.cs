namespace VecLm.Cli.Tests;

/// <summary><c>veclm demo</c>: the plan, finding the data script, and the quick demo end to end on a tiny corpus.</summary>
public class DemoCommandTests
{
    private static string TinyData(TempDir dir, int trainLines = 300)
    {
        string[] sentences = ["the cat sat on the mat", "a dog ran in the park", "my bird sang a song", "the old man read his paper"];
        var random = new Random(3);
        string data = dir.File("data");
        Directory.CreateDirectory(data);
        foreach (var (name, lines) in new[] { ("train.txt", trainLines), ("valid.txt", 40), ("test.txt", 40) })
            File.WriteAllLines(Path.Combine(data, name), Enumerable.Range(0, lines).Select(_ => sentences[random.Next(sentences.Length)]));
        return data;
    }

    [Fact]
    public void QuickDemoOnTinyDataWritesTheReportAndARerunSkipsTheTrainedModels()
    {
        using var dir = new TempDir();
        string data = TinyData(dir), output = dir.File("demo");
        var first = Veclm.Run("demo", "--quick", "--data", data, "--out", output, "--time-limit", "3s");
        Assert.True(first.ExitCode == 0, first.Stdout + first.Stderr);
        Assert.True(File.Exists(Path.Combine(output, "report", "report.md")));
        Assert.Contains("| | cosine | softmax |", File.ReadAllText(Path.Combine(output, "report", "report.md")));
        Assert.Contains($"report: {Path.Combine(output, "report", "report.md")}", first.Stdout);
        Assert.Contains("model cosine: trained in", first.Stdout);
        Assert.Contains("model softmax: trained in", first.Stdout);
        foreach (var name in new[] { "cosine", "softmax" })
        {
            Assert.True(File.Exists(Path.Combine(output, name, "state.json")), name);
            string log = File.ReadAllText(Path.Combine(output, "logs", name + ".log"));
            Assert.Contains("--threads 1 --seed 1 --time-limit 3s", log);
            Assert.Contains("tokens/s", log);
        }
        Assert.False(Directory.Exists(Path.Combine(output, "l2")));

        var second = Veclm.Run("demo", "--quick", "--data", data, "--out", output, "--time-limit", "3s");
        Assert.True(second.ExitCode == 0, second.Stdout + second.Stderr);
        Assert.Contains("vectors: " + Path.Combine(output, "vectors.bin") + " (already there)", second.Stdout);
        Assert.Contains("model cosine: finished run found, not trained again", second.Stdout);
        Assert.Contains("model softmax: finished run found, not trained again", second.Stdout);
    }

    [Fact]
    public void ASigtermToTheDemoStopsItsChildrenCleanlyAndExits143()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var dir = new TempDir();
        string data = TinyData(dir), output = dir.File("demo");
        var (process, stdout, stderr) = Veclm.Start("demo", "--quick", "--data", data, "--out", output, "--time-limit", "120s");
        using (process)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            string[] configs = [Path.Combine(output, "cosine", "config.json"), Path.Combine(output, "softmax", "config.json")];
            while (!configs.All(File.Exists) && clock.Elapsed < TimeSpan.FromSeconds(90)) Thread.Sleep(100);
            Thread.Sleep(1000);   // both children training
            Assert.Equal(0, kill(process.Id, 15));
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "the demo did not stop after SIGTERM");
            Assert.True(process.ExitCode == 143, $"exit {process.ExitCode}: {stdout.Result}{stderr.Result}");
        }
        // Each child got the SIGTERM, saved its checkpoint and said so in its log (not killed after the grace period).
        foreach (var name in new[] { "cosine", "softmax" })
            Assert.True(File.ReadAllText(Path.Combine(output, "logs", name + ".log")).Contains("stopped by SIGTERM"), File.ReadAllText(Path.Combine(output, "logs", name + ".log")) + stdout.Result + stderr.Result);
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern int kill(int pid, int signal);

    [Fact]
    public void AFailedModelIsReportedWithItsLogAndExitOne()
    {
        using var dir = new TempDir();
        string data = TinyData(dir, trainLines: 8);   // under one batch of 32 streams: veclm train refuses it
        var result = Veclm.Run("demo", "--quick", "--data", data, "--out", dir.File("demo"), "--time-limit", "3s");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("veclm: model cosine failed (exit 2); the end of", result.Stderr);
        Assert.Contains("    veclm: error: ", result.Stderr);
        Assert.Contains("too short for one batch", result.Stderr);
        Assert.EndsWith("veclm: error: 2 of 2 models failed (cosine, softmax); run the demo again to retry (finished models are kept)",
            result.Stderr.TrimEnd());
        Assert.False(File.Exists(Path.Combine(dir.File("demo"), "logs", "cosine.done")));
    }

    [Fact]
    public void AnIncompleteDataFolderOrABadTimeLimitIsOneLineAndExitTwo()
    {
        using var dir = new TempDir();
        string data = TinyData(dir);
        File.Delete(Path.Combine(data, "test.txt"));
        Veclm.AssertCleanError(Veclm.Run("demo", "--data", data, "--out", dir.File("demo")), 2, "but not test.txt");
        Veclm.AssertCleanError(Veclm.Run("demo", "--data", data, "--time-limit", "soon"), 2, "--time-limit");
    }

    [Fact]
    public void TheDataScriptIsFoundByWalkingUp()
    {
        using var dir = new TempDir();
        var nested = Directory.CreateDirectory(Path.Combine(dir.Path, "a", "b", "c")).FullName;
        Assert.Null(DemoData.FindScript([nested]));
        Directory.CreateDirectory(dir.File("data"));
        File.WriteAllText(dir.File(Path.Combine("data", "prepare-brown.sh")), "exit 0\n");
        Assert.Equal(dir.File(Path.Combine("data", "prepare-brown.sh")), DemoData.FindScript([nested]));
        // The tests run inside the checkout, so veclm's own folder finds the real script.
        Assert.NotNull(DemoData.FindScript([AppContext.BaseDirectory]));
    }

    [Fact]
    public void UnderTheDotnetHostVeclmStartsItselfAsDotnetVeclmDll()
    {
        // The tests run under the dotnet host, as `dotnet veclm.dll` does.
        var (file, prefix) = VeclmProcess.Command();
        Assert.Equal("dotnet", Path.GetFileNameWithoutExtension(file));
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "veclm.dll"), Assert.Single(prefix));
        var info = VeclmProcess.StartInfo(["train", "--help"]);
        Assert.Equal(["train", "--help"], info.ArgumentList.Skip(1));
        Assert.Equal("1", info.Environment["OMP_NUM_THREADS"]);
    }

    [Fact]
    public void ThePlanTrainsEveryLossOneThreadSeededAndTimed()
    {
        Assert.Equal(["cosine", "softmax"], DemoPlan.For(quick: true).Select(m => m.Name));
        Assert.Equal(["cosine", "softmax", "l2", "maxmargin", "vmf", "cosine-raw", "cosine-abtt",
                      "sampled", "open"],
                     DemoPlan.For(quick: false).Select(m => m.Name));
        Assert.Equal(TimeSpan.FromMinutes(15), DemoPlan.LimitFor(quick: false, null));
        Assert.True(DemoPlan.LimitFor(quick: true, null) <= TimeSpan.FromMinutes(5));
        Assert.Equal(TimeSpan.FromSeconds(7), DemoPlan.LimitFor(quick: true, TimeSpan.FromSeconds(7)));
        var paths = new DemoPaths("/d", "/o");
        var args = DemoPlan.Arguments(DemoPlan.Models[2], paths, TimeSpan.FromMinutes(15));
        Assert.Equal(["train", "/d/train.txt", "--vectors", "/o/vectors.bin", "-o", "/o/l2", "--valid", "/d/valid.txt",
                      "--threads", "1", "--seed", "1", "--time-limit", "900s", "--epochs", "1000", "--eval-every", "120s", "--force",
                      "--loss", "l2"], args);
        Assert.Equal(TimeSpan.FromMinutes(1), DemoPlan.EvalEvery(DemoPlan.QuickTimeLimit));
        Assert.Equal(DemoPlan.Models.Count, DemoPlan.Models.Select(m => m.Name).Distinct().Count());
        // The open model: subword vectors of the training text, and the decode vocabulary kept in its folder.
        var open = DemoPlan.Arguments(DemoPlan.Models.Single(m => m.Open), paths, TimeSpan.FromMinutes(15));
        Assert.Equal("/o/subword.bin", open[open.ToList().IndexOf("--vectors") + 1]);
        Assert.Equal(["--loss", "sampled", "--decode-vocab", "/o/decode-vocab.txt"], open.TakeLast(4));
        Assert.False(DemoPlan.ScoringFor(quick: true).OpenVocab);
        Assert.True(DemoPlan.ScoringFor(quick: false).OpenVocab);
    }
}
