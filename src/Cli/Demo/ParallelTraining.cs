using Spectre.Console;

namespace VecLm.Cli;

/// <summary>
/// Runs training jobs a few at a time, in order. On a terminal a live display shows one line per model (elapsed
/// against its time limit); off a terminal one line is printed as each model finishes. After a failure no new job
/// starts (the running ones finish: their runs are kept for the next demo). On cancellation the children, which got
/// the same Ctrl+C (or are sent the SIGTERM or SIGHUP the demo got), are given <see cref="Grace"/> to stop, then
/// killed (the demo never resumes a run, so nothing is lost).
/// </summary>
public static class ParallelTraining
{
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    /// <param name="finished">Called on the scheduling thread as each started job ends.</param>
    public static void Run(IReadOnlyList<TrainJob> jobs, int parallel, Action<TrainJob> finished, CancellationToken cancel)
    {
        if (!Terminal.Interactive)
        {
            foreach (var job in jobs.Where(j => j.State == TrainJobState.Skipped)) Console.WriteLine(Line(job));
            Schedule(jobs, parallel, () => { }, job => { finished(job); Console.WriteLine(Line(job)); }, cancel);
            return;
        }
        int width = jobs.Max(j => j.Name.Length);
        AnsiConsole.Progress()
            .AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var tasks = jobs.Select(j => ctx.AddTask(Describe(j, width), maxValue: 1)).ToList();
                void Refresh()
                {
                    for (int i = 0; i < jobs.Count; i++)
                    {
                        tasks[i].Description = Describe(jobs[i], width);
                        tasks[i].Value = jobs[i].Fraction;
                        if (jobs[i].Finished && !tasks[i].IsFinished) tasks[i].StopTask();
                    }
                }
                Refresh();
                Schedule(jobs, parallel, Refresh, finished, cancel);
                Refresh();
            });
    }

    private static void Schedule(IReadOnlyList<TrainJob> jobs, int parallel, Action refresh, Action<TrainJob> finished,
                                 CancellationToken cancel)
    {
        var waiting = new Queue<TrainJob>(jobs.Where(j => j.State == TrainJobState.Waiting));
        var running = new List<TrainJob>();
        bool failed = false;
        DateTime? cancelledAt = null;
        while (true)
        {
            while (!failed && !cancel.IsCancellationRequested && running.Count < parallel && waiting.TryDequeue(out var next))
            {
                next.Start();
                running.Add(next);
            }
            if (running.Count == 0) break;
            Task.WaitAny([.. running.Select(j => j.Exited)], TimeSpan.FromMilliseconds(250));
            if (cancel.IsCancellationRequested) running.ForEach(j => j.Stopping(forward: Interrupt.LastExitCode != CliRunner.Interrupted));
            foreach (var job in running.Where(j => j.Exited.IsCompleted).ToList())
            {
                running.Remove(job);
                failed |= job.State != TrainJobState.Done;
                finished(job);
            }
            if (cancel.IsCancellationRequested)
            {
                cancelledAt ??= DateTime.UtcNow;
                if (DateTime.UtcNow - cancelledAt > Grace) running.ForEach(j => j.Kill());
            }
            refresh();
        }
    }

    private static string Describe(TrainJob job, int width) =>
        Markup.Escape($"{job.Name.PadRight(width)}  {job.Status,-40}");

    /// <summary>The line printed off a terminal when a model is done (or skipped, or failed).</summary>
    public static string Line(TrainJob job) => $"model {job.Name}: {job.Status}";
}
