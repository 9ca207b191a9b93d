using System.Diagnostics;
using Spectre.Console;

namespace VecLm.Cli;

/// <summary>
/// The demo's corpus: a folder with <c>train.txt</c>, <c>valid.txt</c> and <c>test.txt</c>. When none of them is
/// there, <c>data/prepare-brown.sh</c> of the VecLm checkout (found by walking up from the current folder and from
/// veclm's own folder) fetches and splits the Brown corpus into it.
/// </summary>
public static class DemoData
{
    public static readonly string[] Files = ["train.txt", "valid.txt", "test.txt"];
    public static readonly string Script = Path.Combine("data", "prepare-brown.sh");

    /// <summary>Where to look for the script: the current folder and veclm's folder, and every folder above them.</summary>
    public static IReadOnlyList<string> SearchStarts => [Environment.CurrentDirectory, AppContext.BaseDirectory];

    /// <summary><c>data/prepare-brown.sh</c> in the first of <paramref name="starts"/> or their parents that has it; null if none.</summary>
    public static string? FindScript(IEnumerable<string> starts)
    {
        foreach (var start in starts)
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string path = Path.Combine(dir.FullName, Script);
                if (File.Exists(path)) return path;
            }
        return null;
    }

    /// <summary>
    /// The data folder: <paramref name="given"/>, else <c>data/brown</c> in the current folder if it holds the three
    /// files, else <c>data/brown</c> in the checkout (beside the script), else <c>data/brown</c> here.
    /// </summary>
    public static string Resolve(string? given)
    {
        if (given is not null) return Path.GetFullPath(given);
        string here = Path.GetFullPath(Path.Combine("data", "brown"));
        if (Missing(here).Count == 0) return here;
        return FindScript(SearchStarts) is { } script ? Path.Combine(Path.GetDirectoryName(script)!, "brown") : here;
    }

    public static IReadOnlyList<string> Missing(string folder) => Files.Where(f => !File.Exists(Path.Combine(folder, f))).ToList();

    /// <summary>Throws a usage error unless the three files are there, or none is and the script can make them.</summary>
    public static string? CheckPreparable(string folder)
    {
        var missing = Missing(folder);
        if (missing.Count == 0) return null;
        if (missing.Count < Files.Length)
            throw new UsageException($"{folder} has {string.Join(", ", Files.Except(missing))} but not {string.Join(", ", missing)}: " +
                                     "--data needs a folder with train.txt, valid.txt and test.txt");
        return FindScript(SearchStarts) ?? throw new UsageException(
            $"no corpus in {folder} and {Script} not found: run veclm demo from the VecLm checkout, " +
            "or pass --data with a folder holding train.txt, valid.txt and test.txt");
    }

    /// <summary>Runs <c>bash prepare-brown.sh FOLDER</c>, its output into <paramref name="logPath"/>; a spinner on a terminal.</summary>
    public static void Prepare(string script, string folder, string logPath, CancellationToken cancel)
    {
        var info = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(folder);
        int Run()
        {
            using var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
            log.WriteLine($"# bash {script} {folder}");
            using var process = new Process { StartInfo = info };
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
            Interrupt.StartUnblocked(process);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            while (!process.WaitForExit(250))
                if (cancel.IsCancellationRequested && !process.WaitForExit(Grace)) process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return process.ExitCode;
        }
        int code = Terminal.Interactive
            ? AnsiConsole.Status().Start(Markup.Escape($"preparing the Brown corpus in {folder} (npm, python3)…"), _ => Run())
            : Run();
        cancel.ThrowIfCancellationRequested();
        if (code != 0)
            throw new DemoFailure($"{Script} failed (exit {code}); its log: {logPath}", File.ReadLines(logPath).TakeLast(10).ToList());
        if (Missing(folder).Count > 0)
            throw new DemoFailure($"{Script} did not write {string.Join(", ", Missing(folder))} into {folder}; its log: {logPath}", []);
    }

    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);
}

/// <summary>A step of the demo failed (not bad input): the message, and lines that show why (a log's tail).</summary>
public sealed class DemoFailure(string message, IReadOnlyList<string> details) : Exception(message)
{
    public IReadOnlyList<string> Details { get; } = details;
}
