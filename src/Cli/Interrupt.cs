using System.Runtime.InteropServices;

namespace VecLm.Cli;

/// <summary>
/// Turns the first Ctrl+C into a cancellation the library can answer cleanly (finish a step, save a checkpoint or
/// discard partial output); a second Ctrl+C ends the process at once.
/// <para>
/// On Linux the calling thread — the one that runs the work, LibTorch's kernels included — also blocks SIGINT, so the
/// kernel delivers the signal to one of the runtime's idle threads instead. Delivered to the working thread, it
/// interrupted oneDNN's LSTM backward pass mid-allocation and corrupted the heap (2 of 5 Ctrl+C's aborted with
/// "corrupted size vs. prev_size"); .NET still sees the signal and raises <see cref="Console.CancelKeyPress"/>.
/// </para>
/// </summary>
public sealed partial class Interrupt : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly bool _blocked;

    private Interrupt()
    {
        Console.CancelKeyPress += OnCancel;
        _blocked = OperatingSystem.IsLinux() && Mask(SigBlock);
    }

    public CancellationToken Token => _source.Token;

    public static Interrupt Listen() => new();

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        if (_source.IsCancellationRequested) return;
        e.Cancel = true;
        _source.Cancel();
        Console.Error.WriteLine("veclm: interrupted, stopping…");
    }

    public void Dispose()
    {
        if (_blocked) Mask(SigUnblock);
        Console.CancelKeyPress -= OnCancel;
        _source.Dispose();
    }

    private const int SigBlock = 0, SigUnblock = 1, SigInt = 2;

    /// <summary>Blocks or unblocks SIGINT for the calling thread; false if the call failed.</summary>
    private static bool Mask(int how)
    {
        var set = new ulong[16];   // sigset_t: 1,024 bits
        set[0] = 1UL << (SigInt - 1);
        try { return pthread_sigmask(how, set, IntPtr.Zero) == 0; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    [LibraryImport("libc", EntryPoint = "pthread_sigmask")]
    private static partial int pthread_sigmask(int how, ulong[] set, IntPtr oldSet);
}
