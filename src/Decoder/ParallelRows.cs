using System.Runtime.ExceptionServices;

namespace VecLm.Decoder;

/// <summary>
/// Runs one body per row over a few threads for a short batch of searches: the caller's thread and threads − 1
/// started here, rows handed out in chunks by an atomic counter. A search batch is often tens of milliseconds;
/// <c>Parallel.For</c> spent a large part of that waking the thread pool (at 17.7k words and ef 10, two threads gave
/// 1.1× one thread over 5,000 queries and 2.0× over 50,000).
/// </summary>
internal static class ParallelRows
{
    /// <summary>body(i) for every i in [0, <paramref name="rows"/>), on <paramref name="threads"/> threads (−1: all cores).</summary>
    public static void For(int rows, int threads, Action<int> body, int chunk = 16)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (chunk < 1) throw new ArgumentException($"chunk must be at least 1 (got {chunk})");
        int wanted = threads < 1 ? Environment.ProcessorCount : threads;
        int workers = (int)Math.Min(wanted, ((long)rows + chunk - 1) / chunk);
        if (workers <= 1)
        {
            for (int i = 0; i < rows; i++) body(i);
            return;
        }
        long next = 0;
        Exception? error = null;
        void Work()
        {
            try
            {
                for (long start; (start = Interlocked.Add(ref next, chunk) - chunk) < rows;)
                    for (int i = (int)start, end = (int)Math.Min(rows, start + chunk); i < end; i++) body(i);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref error, e, null);
                Interlocked.Exchange(ref next, rows);   // the others stop at their next chunk
            }
        }
        var others = new Thread[workers - 1];
        for (int t = 0; t < others.Length; t++)
        {
            others[t] = new Thread(Work) { IsBackground = true, Name = "veclm search" };
            others[t].Start();
        }
        Work();
        foreach (var t in others) t.Join();
        if (error is not null) ExceptionDispatchInfo.Throw(error);
    }
}
