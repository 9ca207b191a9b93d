using System.Diagnostics;
using VecLm.Embeddings;
using VecLm.Regressor;
using VecLm.Evaluation;

namespace VecLm.Cli;

/// <summary>What <c>veclm demo</c> was asked to do.</summary>
public sealed record DemoOptions(string? Data, string Out, bool Quick, TimeSpan? TimeLimit);

/// <summary>
/// <c>veclm demo</c>, step by step: (1) the corpus (prepared by data/prepare-brown.sh if absent), (2) word2vec
/// vectors, (3) the plan's models, each by a child <c>veclm train</c> (<see cref="DemoPlan"/>), (4) the comparison
/// report. Each step leaves its result in the output folder and is skipped when the result is already there, so a
/// demo that stopped can be run again. A model counts as already trained when its folder holds a finished run
/// (checkpoint.bin and model.weights) and <c>logs/NAME.done</c> says that run's child exited 0 with the same
/// <c>veclm train</c> arguments and the same vectors file; anything else (never trained, interrupted, failed, other
/// arguments such as another time limit) is trained again from scratch, never resumed: a resumed run would get a
/// fresh time limit and no longer match the others.
/// </summary>
public static class DemoRunner
{
    public static int Run(DemoOptions options, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var paths = new DemoPaths(DemoData.Resolve(options.Data), Path.GetFullPath(options.Out));
        var script = DemoData.CheckPreparable(paths.Data);
        Directory.CreateDirectory(paths.Logs);

        if (script is not null)
        {
            DemoData.Prepare(script, paths.Data, Path.Combine(paths.Logs, "prepare-brown.log"), cancel);
            Console.WriteLine($"data: prepared the Brown corpus in {paths.Data}");
        }
        else Console.WriteLine($"data: {paths.Data} ({string.Join(", ", DemoData.Files)})");

        MakeVectors(paths, cancel);

        var limit = DemoPlan.LimitFor(options.Quick, options.TimeLimit);
        var jobs = DemoPlan.For(options.Quick)
            .Select(m => new TrainJob(m.Name, DemoPlan.Arguments(m, paths, limit), limit, paths.LogPath(m.Name))).ToList();
        foreach (var job in jobs)
        {
            if (IsFinished(paths, job)) job.Skip();
            else Clear(paths, job);
        }
        ParallelTraining.Run(jobs, DemoPlan.Parallel, job =>
        {
            if (job.State == TrainJobState.Done) AtomicFile.WriteText(paths.DonePath(job.Name), Stamp(paths, job));
        }, cancel);
        cancel.ThrowIfCancellationRequested();
        var failed = jobs.Where(j => j.State is TrainJobState.Failed or TrainJobState.Interrupted).ToList();
        if (failed.Count > 0 || jobs.Any(j => !j.Finished))
        {
            foreach (var job in failed)
            {
                Console.Error.WriteLine($"veclm: model {job.Name} failed (exit {job.ExitCode}); the end of {job.LogPath}:");
                foreach (var line in job.LogTail(12)) Console.Error.WriteLine("    " + line);
            }
            var notStarted = jobs.Where(j => j.State == TrainJobState.Waiting).Select(j => j.Name).ToList();
            CliRunner.Error($"{failed.Count} of {jobs.Count} models failed ({string.Join(", ", failed.Select(j => j.Name))})"
                            + (notStarted.Count > 0 ? $"; not started: {string.Join(", ", notStarted)}" : "")
                            + "; run the demo again to retry (finished models are kept)");
            return CliRunner.Failure;
        }

        var dirs = jobs.Select(j => paths.ModelDir(j.Name)).ToList();
        var report = Terminal.WithProgress("comparing", progress => ModelEvaluator.Compare(dirs, null, paths.Test,
            DemoPlan.Scoring, DemoPlan.Examples, (dir, p) => progress((dirs.IndexOf(dir) + p) / dirs.Count, Path.GetFileName(dir))));
        report.Write(paths.Report);
        ReportTable.Print(report);
        Console.WriteLine($"report: {Path.Combine(paths.Report, "report.md")} (demo done in {TrainJob.Clock(clock.Elapsed)})");
        return 0;
    }

    /// <summary>Step 2: skip-gram vectors of the training text, unless the output folder has them.</summary>
    private static void MakeVectors(DemoPaths paths, CancellationToken cancel)
    {
        if (File.Exists(paths.Vectors))
        {
            Console.WriteLine($"vectors: {paths.Vectors} (already there)");
            return;
        }
        var options = DemoPlan.Embedding;
        var result = Terminal.WithProgress("embedding", report => Word2VecTrainer.Train(paths.Train, options,
            p => report(p.Fraction, $"epoch {p.Epoch}/{options.Epochs}"), cancel));
        result.Vectors.Save(paths.Vectors);
        Console.WriteLine($"vectors: {result.Vectors.Count:N0} words × {options.Dim} in {result.Elapsed.TotalSeconds:0.0} s → {paths.Vectors}");
    }

    /// <summary>What a finished run's <c>.done</c> file holds: its arguments, and the vectors file's time stamp.</summary>
    private static string Stamp(DemoPaths paths, TrainJob job) =>
        string.Join('\n', job.Arguments) + $"\nvectors written {File.GetLastWriteTimeUtc(paths.Vectors):O}\n";

    public static bool IsFinished(DemoPaths paths, TrainJob job)
    {
        var checkpoint = new Checkpoint(paths.ModelDir(job.Name));
        string done = paths.DonePath(job.Name);
        return File.Exists(checkpoint.CheckpointPath) && File.Exists(checkpoint.BestWeightsPath) && File.Exists(done)
               && File.ReadAllText(done) == Stamp(paths, job);
    }

    /// <summary>Before training again: no .done file, and no model folder left from an older run.</summary>
    private static void Clear(DemoPaths paths, TrainJob job)
    {
        File.Delete(paths.DonePath(job.Name));
        var dir = new DirectoryInfo(paths.ModelDir(job.Name));
        if (!dir.Exists) return;
        if (!File.Exists(new Checkpoint(dir.FullName).ConfigPath) && dir.EnumerateFileSystemInfos().Any())
            throw new UsageException($"{dir.FullName} is in the way of the demo's {job.Name} model and is not a model folder: move it or pick another --out");
        dir.Delete(recursive: true);
    }
}
