using System.Runtime.InteropServices;

namespace VecLm.Cli;

/// <summary>
/// Turns the first Ctrl+C (SIGINT), SIGTERM or SIGHUP into a cancellation the library can answer cleanly (finish a
/// step, save a checkpoint or discard partial output); the process then exits with 128 + the signal's number
/// (<see cref="ExitCode"/>: 130, 143, 129). A second signal ends the process at once.
/// <para>
/// On Linux the calling thread — the one that runs the work, LibTorch's kernels and the threads they start included —
/// also blocks these signals, so the kernel delivers them to one of the runtime's idle threads instead. Delivered to
/// the working thread, SIGINT interrupted oneDNN's LSTM backward pass mid-allocation and corrupted the heap (2 of 5
/// Ctrl+C's aborted with "corrupted size vs. prev_size"); .NET still sees the signal and raises
/// <see cref="Console.CancelKeyPress"/> or the <see cref="PosixSignalRegistration"/> handlers.
/// </para>
/// </summary>
public sealed partial class Interrupt : IDisposable
{
    private const int SigHup = 1, SigInt = 2, SigTerm = 15;
    private readonly CancellationTokenSource _source = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private readonly bool _blocked;
    private int _signal;

    private Interrupt()
    {
        Console.CancelKeyPress += OnCancel;
        if (!OperatingSystem.IsWindows())
        {
            _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal));
            _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal));
        }
        _blocked = OperatingSystem.IsLinux() && Mask(SigBlock);
    }

    public CancellationToken Token => _source.Token;

    /// <summary>The exit code for the signal that stopped the work: 128 + its number (130 before any).</summary>
    public int ExitCode => 128 + (_signal == 0 ? SigInt : _signal);

    /// <summary>The signal that stopped the work, by name (SIGINT before any).</summary>
    public string SignalName => Name(_signal == 0 ? SigInt : _signal);

    /// <summary>The exit code of the last signal any <see cref="Interrupt"/> caught (130 before any), for <see cref="CliRunner"/>.</summary>
    public static int LastExitCode { get; private set; } = 128 + SigInt;

    public static Interrupt Listen() => new();

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        if (!Stop(SigInt)) return;   // a second Ctrl+C: the runtime's default ends the process
        e.Cancel = true;
    }

    private void OnSignal(PosixSignalContext context)
    {
        int number = context.Signal == PosixSignal.SIGTERM ? SigTerm : SigHup;
        if (Stop(number))
        {
            context.Cancel = true;
            return;
        }
        Say($"veclm: {Name(number)} again: exiting at once (the last checkpoint is kept)");
        _exit(128 + number);   // no exit handlers: the working thread may be inside LibTorch
    }

    /// <summary>The first signal cancels the work and returns true; later ones return false.</summary>
    private bool Stop(int number)
    {
        if (Interlocked.CompareExchange(ref _signal, number, 0) != 0) return false;
        LastExitCode = 128 + number;
        Say(number == SigInt ? "veclm: interrupted, stopping…"
            : $"veclm: {Name(number)}: stopping after this step (a second signal ends at once)…");
        _source.Cancel();
        return true;
    }

    /// <summary>One line on stderr, if it can still be written (after SIGHUP the terminal may be gone).</summary>
    private static void Say(string line)
    {
        try
        {
            Console.Error.WriteLine(line);
            Console.Error.Flush();
        }
        catch (IOException) { }
    }

    private static string Name(int number) => number switch { SigHup => "SIGHUP", SigTerm => "SIGTERM", _ => "SIGINT" };

    public void Dispose()
    {
        if (_blocked) Mask(SigUnblock);
        foreach (var registration in _registrations) registration.Dispose();
        Console.CancelKeyPress -= OnCancel;
        _source.Dispose();
    }

    /// <summary>
    /// Starts <paramref name="process"/> from a thread that does not block the signals: a child inherits the mask of
    /// the thread that starts it (.NET restores it in the child before exec), and a child started from the working
    /// thread would block SIGINT, SIGTERM and SIGHUP on every thread, so that no signal could ever reach it.
    /// </summary>
    public static bool StartUnblocked(System.Diagnostics.Process process)
    {
        if (!OperatingSystem.IsLinux()) return process.Start();
        bool started = false;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                Mask(SigUnblock);
                started = process.Start();
            }
            catch (Exception e) { error = e; }
        });
        thread.Start();
        thread.Join();
        if (error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        return started;
    }

    private const int SigBlock = 0, SigUnblock = 1;

    /// <summary>Blocks or unblocks SIGINT, SIGTERM and SIGHUP for the calling thread; false if the call failed.</summary>
    private static bool Mask(int how)
    {
        var set = new ulong[16];   // sigset_t: 1,024 bits
        set[0] = (1UL << (SigInt - 1)) | (1UL << (SigTerm - 1)) | (1UL << (SigHup - 1));
        try { return pthread_sigmask(how, set, IntPtr.Zero) == 0; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    [LibraryImport("libc", EntryPoint = "pthread_sigmask")]
    private static partial int pthread_sigmask(int how, ulong[] set, IntPtr oldSet);

    [LibraryImport("libc", EntryPoint = "_exit")]
    private static partial void _exit(int status);
}
