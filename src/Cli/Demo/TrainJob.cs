using System.Diagnostics;
using System.Runtime.InteropServices;

namespace VecLm.Cli;

public enum TrainJobState { Waiting, Skipped, Running, Done, Failed, Interrupted }

/// <summary>
/// One model of the demo trained by a child <c>veclm train</c> process whose stdout and stderr go to a log file
/// (the command line first). Its state and clock can be read from another thread while it runs.
/// </summary>
public sealed partial class TrainJob(string name, IReadOnlyList<string> arguments, TimeSpan limit, string logPath)
{
    private readonly Stopwatch clock = new();
    private Process? process;
    private Task exited = Task.CompletedTask;
    private volatile TrainJobState state = TrainJobState.Waiting;
    private volatile bool stopping;
    private volatile bool ended;

    public string Name { get; } = name;
    public IReadOnlyList<string> Arguments { get; } = arguments;
    /// <summary>The vectors file the model trains on (its time stamp goes into the <c>.done</c> file).</summary>
    public string? VectorsPath { get; init; }
    public TimeSpan Limit { get; } = limit;
    public string LogPath { get; } = logPath;
    /// <summary>How an ended child ended is read from its exit code when asked: once the demo is stopping, any end is an interruption.</summary>
    public TrainJobState State => !ended ? state
        : ExitCode == 0 ? TrainJobState.Done
        : stopping || ExitCode is 130 or 143 or 129 ? TrainJobState.Interrupted
        : TrainJobState.Failed;
    public int? ExitCode { get; private set; }
    public TimeSpan Elapsed => clock.Elapsed;
    /// <summary>Completes when the child has exited and its log is closed.</summary>
    public Task Exited => exited;
    public bool Finished => State is TrainJobState.Skipped or TrainJobState.Done or TrainJobState.Failed or TrainJobState.Interrupted;

    /// <summary>A finished run of the same arguments is already there: nothing to do.</summary>
    public void Skip() => state = TrainJobState.Skipped;

    public void Start()
    {
        if (state != TrainJobState.Waiting) throw new InvalidOperationException($"{Name} is {state}, not waiting");
        var info = VeclmProcess.StartInfo(Arguments);
        var log = new StreamWriter(LogPath, append: false) { AutoFlush = true };
        log.WriteLine("# " + VeclmProcess.Display(info));
        void Write(string? line)
        {
            if (line is null) return;
            lock (log) log.WriteLine(line);
        }
        process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        try
        {
            Interrupt.StartUnblocked(process);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            Write($"veclm demo: cannot start {info.FileName}: {e.Message}");
            log.Dispose();
            ExitCode = -1;
            state = TrainJobState.Failed;
            return;
        }
        clock.Start();
        state = TrainJobState.Running;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        exited = Task.Run(() =>
        {
            process.WaitForExit();   // and the last lines of both streams
            clock.Stop();
            ExitCode = process.ExitCode;
            lock (log) log.Dispose();
            process.Dispose();
            ended = true;
        });
    }

    /// <summary>
    /// The demo is being stopped: however the child ends, it was interrupted. A Ctrl+C at the terminal reached the
    /// child too; a SIGTERM or SIGHUP sent to the demo did not (<paramref name="forward"/>): the child gets one SIGTERM,
    /// to stop cleanly within the grace period (a second would end it at once).
    /// </summary>
    public void Stopping(bool forward)
    {
        stopping = true;
        if (!forward || signalled || !OperatingSystem.IsLinux() || process is null || ended) return;
        signalled = true;
        try { kill(process.Id, 15); }
        catch (Exception e) when (e is InvalidOperationException or DllNotFoundException or EntryPointNotFoundException) { }
    }

    private bool signalled;

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int kill(int pid, int signal);

    /// <summary>Ends the child (and anything it started) at once.</summary>
    public void Kill()
    {
        stopping = true;
        try { process?.Kill(entireProcessTree: true); }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { }
    }

    /// <summary>Training progress as a fraction of the time limit (short of 1 until the child is done).</summary>
    public double Fraction => State switch
    {
        TrainJobState.Done or TrainJobState.Skipped => 1,
        TrainJobState.Running => Math.Min(0.99, Elapsed / Limit),
        _ => 0,
    };

    /// <summary>One line on where the job stands.</summary>
    public string Status => State switch
    {
        TrainJobState.Waiting => "waiting",
        TrainJobState.Skipped => "finished run found, not trained again",
        TrainJobState.Running when Elapsed < Limit => $"training {Clock(Elapsed)} / {Clock(Limit)}",
        TrainJobState.Running => $"validating and saving {Clock(Elapsed)} / {Clock(Limit)}",
        TrainJobState.Done => $"trained in {Clock(Elapsed)} (time limit {Clock(Limit)})",
        TrainJobState.Interrupted => $"interrupted after {Clock(Elapsed)}",
        _ => $"failed (exit {ExitCode}) after {Clock(Elapsed)}: see {LogPath}",
    };

    /// <summary>The last <paramref name="lines"/> lines of the log.</summary>
    public IReadOnlyList<string> LogTail(int lines) =>
        File.Exists(LogPath) ? File.ReadLines(LogPath).TakeLast(lines).ToList() : [];

    public static string Clock(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{(int)span.TotalHours}:{span.Minutes:00}:{span.Seconds:00}" : $"{(int)span.TotalMinutes}:{span.Seconds:00}";
}
