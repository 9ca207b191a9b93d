using System.Diagnostics;
using System.Runtime.InteropServices;

namespace VecLm.Cli.Tests;

/// <summary>
/// <c>veclm serve ARGS --port 0</c> running in a child process, as a user starts it: <see cref="Address"/> is the one it
/// printed; <see cref="Signal"/> sends a real signal; disposing kills what is left.
/// </summary>
public sealed partial class ServeProcess : IDisposable
{
    private readonly Process process;
    private readonly Task<string> stderr;

    private ServeProcess(Process process, string address, Task<string> stderr)
    {
        this.process = process;
        Address = address;
        this.stderr = stderr;
    }

    public string Address { get; }
    public Process Process => process;

    public static ServeProcess Start(params string[] args)
    {
        var process = Process.Start(Veclm.StartInfo(["serve", .. args, "--port", "0"]))!;
        var stderr = process.StandardError.ReadToEndAsync();
        var line = process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(60)) || line.Result is not { } text || !text.Contains(" on http://"))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"veclm serve did not say where it listens: '{(line.IsCompleted ? line.Result : "")}' {stderr.Result}");
        }
        string address = text[(text.IndexOf(" on ", StringComparison.Ordinal) + 4)..].Split(' ')[0];
        return new ServeProcess(process, address, stderr);
    }

    /// <summary>Sends <paramref name="signal"/> (2 SIGINT, 15 SIGTERM) and waits for the exit: its code and stderr.</summary>
    public (int ExitCode, string Stderr) Signal(int signal)
    {
        Assert.Equal(0, kill(process.Id, signal));
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(20)), $"veclm serve did not stop on signal {signal}");
        return (process.ExitCode, stderr.Result);
    }

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.Dispose();
    }

    [LibraryImport("libc")]
    private static partial int kill(int pid, int signal);
}
