namespace VecLm.Cli;

/// <summary>
/// Turns the first Ctrl+C into a cancellation the library can answer cleanly (finish a step, save a checkpoint or
/// discard partial output); a second Ctrl+C ends the process at once.
/// </summary>
public sealed class Interrupt : IDisposable
{
    private readonly CancellationTokenSource _source = new();

    private Interrupt() => Console.CancelKeyPress += OnCancel;

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
        Console.CancelKeyPress -= OnCancel;
        _source.Dispose();
    }
}
