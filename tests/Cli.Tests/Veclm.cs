using System.Diagnostics;

namespace VecLm.Cli.Tests;

/// <summary>Runs the built <c>veclm</c> (veclm.dll beside the tests) as a user would, in a child process, as in CI.</summary>
public static class Veclm
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(params string[] args) => RunIn(Environment.CurrentDirectory, args);

    public static Result RunIn(string workingDirectory, params string[] args)
    {
        var start = StartInfo(args);
        start.WorkingDirectory = workingDirectory;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"veclm {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts <c>veclm ARGS</c> without waiting: the process and its stdout and stderr as they complete.</summary>
    public static (Process Process, Task<string> Stdout, Task<string> Stderr) Start(params string[] args)
    {
        var process = Process.Start(StartInfo(args))!;
        return (process, process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
    }

    /// <summary>How <c>veclm ARGS</c> is started: the built veclm.dll, stdout and stderr redirected, as in CI.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "veclm.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["CI"] = "true";
        start.Environment.Remove("VECLM_DEBUG");
        return start;
    }

    /// <summary>Asserts a clean failure: the given exit code, one line on stderr naming the problem, no stack trace.</summary>
    public static void AssertCleanError(Result result, int exitCode, string mentions)
    {
        Assert.Equal(exitCode, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("veclm: error: ", lines[0]);
        Assert.Contains(mentions, lines[0]);
        Assert.DoesNotContain("   at ", result.Stderr);
    }
}
