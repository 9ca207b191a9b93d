using System.Diagnostics;
using VecLm.Embeddings;
using VecLm.Embeddings.FastText;
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
        if (DemoPlan.For(options.Quick).Any(m => m.Open)) MakeOpenVocabulary(paths, cancel);

        var limit = DemoPlan.LimitFor(options.Quick, options.TimeLimit);
        var jobs = DemoPlan.For(options.Quick)
            .Select(m => new TrainJob(m.Name, DemoPlan.Arguments(m, paths, limit), limit, paths.LogPath(m.Name)) { VectorsPath = paths.VectorsOf(m) })
            .ToList();
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
            DemoPlan.ScoringFor(options.Quick), DemoPlan.Examples, (dir, p) => progress((dirs.IndexOf(dir) + p) / dirs.Count, Path.GetFileName(dir))));
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

    /// <summary>
    /// Step 2b, for the open model: fastText subword vectors of the training text and its decode vocabulary — every word
    /// form of the training text and <see cref="DemoPlan.WordList"/> (without it, a warning and the training words
    /// alone). Skipped when both are there.
    /// </summary>
    private static void MakeOpenVocabulary(DemoPaths paths, CancellationToken cancel)
    {
        if (!File.Exists(paths.SubwordVectors))
        {
            var options = DemoPlan.Embedding;
            var result = Terminal.WithProgress("subword vectors", report => SubwordTrainer.Train(paths.Train, options,
                new SubwordOptions(), p => report(p.Fraction, $"epoch {p.Epoch}/{options.Epochs}"), cancel));
            result.Model.Save(paths.SubwordVectors);
            Console.WriteLine($"subword vectors: {result.Model.WordCount:N0} words + {result.Model.Args.Bucket:N0} n-gram buckets " +
                              $"in {result.Elapsed.TotalSeconds:0.0} s → {paths.SubwordVectors}");
        }
        if (File.Exists(paths.DecodeVocab)) return;
        var words = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { Vocabulary.Unknown, Vocabulary.EndOfSentence };
        foreach (var line in new Corpus(paths.Train).Lines())
            foreach (var range in Corpus.Tokens(line.Span))
                if (seen.Add(line.Span[range].ToString())) words.Add(line.Span[range].ToString());
        int fromText = words.Count;
        if (File.Exists(DemoPlan.WordList))
        {
            foreach (var word in File.ReadLines(DemoPlan.WordList))
                if (word.Length > 0 && !word.Any(char.IsWhiteSpace) && seen.Add(word)) words.Add(word);
        }
        else CliRunner.Warn($"{DemoPlan.WordList} is missing (apt-get install wamerican-insane): the open model decodes to the training words only");
        AtomicFile.WriteText(paths.DecodeVocab, string.Join('\n', words) + "\n");
        Console.WriteLine($"decode vocabulary: {fromText:N0} training words + {words.Count - fromText:N0} from the word list → {paths.DecodeVocab}");
    }

    /// <summary>What a finished run's <c>.done</c> file holds: its arguments, and its vectors file's time stamp.</summary>
    private static string Stamp(DemoPaths paths, TrainJob job) =>
        string.Join('\n', job.Arguments) + $"\nvectors written {File.GetLastWriteTimeUtc(job.VectorsPath ?? paths.Vectors):O}\n";

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
