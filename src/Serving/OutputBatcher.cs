using System.Threading.Channels;
using VecLm.Regressor;

namespace VecLm.Serving;

/// <summary>
/// Reads the contexts of concurrent requests as one batch: each request queues its token ids and awaits its row; one
/// worker thread takes everything queued (up to <see cref="MaxBatch"/> contexts) and runs it through the LSTM at once
/// (<see cref="TrainedModel.LastOutputs"/>). Each context is still its own stream from a fresh state, so an answer is
/// the one the request would get alone; under load the batch grows, and the LSTM's matrix–vector products become
/// matrix–matrix ones. Alone, a request waits for nothing.
/// </summary>
public sealed class OutputBatcher : IDisposable
{
    public const int MaxBatch = 64;
    private readonly TrainedModel model;
    private readonly Channel<Pending> queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Thread worker;

    private sealed record Pending(int[] Ids, TaskCompletionSource<float[]> Done);

    public OutputBatcher(TrainedModel model)
    {
        this.model = model;
        worker = new Thread(Run) { IsBackground = true, Name = "veclm batch" };
        worker.Start();
    }

    /// <summary>The head's output after <paramref name="ids"/>, read from a fresh state.</summary>
    public Task<float[]> OutputAfter(int[] ids)
    {
        var done = new TaskCompletionSource<float[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!queue.Writer.TryWrite(new Pending(ids, done))) done.SetException(new ObjectDisposedException(nameof(OutputBatcher)));
        return done.Task;
    }

    private void Run()
    {
        var batch = new List<Pending>(MaxBatch);
        while (queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var next)) batch.Add(next);
            if (batch.Count == 0) continue;
            try
            {
                var rows = model.LastOutputs(batch.Select(p => p.Ids).ToList());
                for (int i = 0; i < batch.Count; i++) batch[i].Done.SetResult(rows[i]);
            }
            catch (Exception e)
            {
                foreach (var p in batch) p.Done.TrySetException(e);
            }
        }
    }

    public void Dispose()
    {
        queue.Writer.TryComplete();
        worker.Join(TimeSpan.FromSeconds(10));
    }
}
