using System.Text.Json;
using VecLm.Embeddings;

namespace VecLm.Regressor.Tests;

/// <summary>
/// The checkpoint on a schedule: a run interrupted (or crashed after a checkpoint) and resumed is the uninterrupted
/// run, bit for bit; validation within epochs; the model folder never overwritten by accident, and self-contained.
/// LibTorch's random generator is process-wide, so these run alone (<see cref="Serial"/>): another test's dropout
/// drawing from it in parallel would make a seeded run differ.
/// </summary>
[Collection(nameof(Serial))]
public class CheckpointTests
{
    /// <summary>
    /// A seeded single-threaded run with everything that draws random numbers or carries state between steps:
    /// dropout, the sampled loss's negatives, the LSTM state across chunks, Adam, the plateau rule over 3 epochs.
    /// </summary>
    private static TrainOptions Reproducible(TempDir dir, string output)
    {
        string corpus = TinyData.Corpus(dir, 60);
        string valid = TinyData.Corpus(dir, 20, seed: 2, name: "valid.txt");
        string vectors = TinyData.SaveVectors(dir, TinyData.Vectors(TinyData.Sentences));
        return TinyData.Options(corpus, vectors, dir.File(output), LossKind.Sampled) with
        {
            Dropout = 0.3, Negatives = 8, ValidPath = valid, Epochs = 3, LearningRateDecay = 0.5, LearningRate = 3e-2,
        };
    }

    [Fact]
    public void AnInterruptedAndResumedRunEqualsTheUninterruptedRunBitForBit()
    {
        using var dir = new TempDir();
        var options = Reproducible(dir, "straight");
        long steps;
        using (var straight = new Trainer(options))
        {
            Assert.Equal(StopReason.Epochs, straight.Train().Reason);
            steps = straight.State.Step;
            Assert.True(steps > 30 && straight.TrainBatches.Chunks * 3 == steps, $"{steps} steps");
        }
        var resumed = options with { OutputDir = dir.File("resumed") };
        using var cancel = new CancellationTokenSource();
        long at = steps / 2 + 1;   // within the second epoch
        using (var first = new Trainer(resumed) { AfterStep = s => { if (s == at) cancel.Cancel(); } })
            Assert.Equal(StopReason.Interrupted, first.Train(cancel.Token).Reason);
        using (var second = new Trainer(resumed with { Resume = true }))
        {
            Assert.Equal(at, second.State.Step);
            Assert.Equal(StopReason.Epochs, second.Train().Reason);
        }
        AssertSameRun(options.OutputDir, resumed.OutputDir);
    }

    [Fact]
    public void ACrashAfterAScheduledCheckpointResumesFromItBitForBit()
    {
        using var dir = new TempDir();
        var options = Reproducible(dir, "straight") with { Epochs = 2 };
        using (var straight = new Trainer(options)) straight.Train();
        // A checkpoint after every step (interval 0); the process "dies" after step 17 without saving anything more.
        var crashed = options with { OutputDir = dir.File("crashed"), CheckpointEvery = TimeSpan.Zero };
        using (var first = new Trainer(crashed) { AfterStep = s => { if (s == 17) throw new IOException("simulated crash"); } })
            Assert.Throws<IOException>(() => first.Train());
        using (var second = new Trainer(crashed with { Resume = true, CheckpointEvery = TrainOptions.DefaultCheckpointEvery }))
        {
            Assert.Equal(17, second.State.Step);
            second.Train();
        }
        AssertSameRun(options.OutputDir, crashed.OutputDir);
    }

    /// <summary>Same final weights (best and last), Adam state and random generator; same metrics but the times.</summary>
    private static void AssertSameRun(string a, string b)
    {
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "model.weights")), File.ReadAllBytes(Path.Combine(b, "model.weights")));
        var partsA = SealedFile.Read(Path.Combine(a, "checkpoint.bin"), ResumePoint.Kind);
        var partsB = SealedFile.Read(Path.Combine(b, "checkpoint.bin"), ResumePoint.Kind);
        foreach (var part in new[] { "weights", "optimizer", "rng" }) Assert.True(partsA[part].SequenceEqual(partsB[part]), part);
        var rowsA = MetricsLog.Read(Path.Combine(a, "metrics.csv")).Select(r => r with { WallSeconds = 0, StepSeconds = 0 }).ToList();
        var rowsB = MetricsLog.Read(Path.Combine(b, "metrics.csv")).Select(r => r with { WallSeconds = 0, StepSeconds = 0 }).ToList();
        Assert.Equal(rowsA, rowsB);
    }

    [Fact]
    public void ValidationOnAScheduleWritesMetricsWithinEpochsAndCutsTheRateOnlyAtEpochEnds()
    {
        using var dir = new TempDir();
        var options = Reproducible(dir, "model") with { Epochs = 2, EvalEvery = TimeSpan.FromTicks(1) };
        using var trainer = new Trainer(options);
        trainer.Train();
        var rows = MetricsLog.Read(Path.Combine(options.OutputDir, "metrics.csv"));
        int chunks = trainer.TrainBatches.Chunks;
        Assert.Equal(Enumerable.Range(1, 2 * chunks).Select(i => (long)i), rows.Select(r => r.Step));
        Assert.Equal(1.0 / chunks, rows[0].EpochsTrained, 1e-6);   // metrics.csv keeps 6 digits
        // The time in training steps, apart from validation: positive, growing, never more than the wall time.
        Assert.All(rows, r => Assert.InRange(r.StepSeconds, 1e-9, r.WallSeconds));
        Assert.True(rows.Zip(rows.Skip(1)).All(p => p.Second.StepSeconds >= p.First.StepSeconds));
        Assert.Equal([chunks - 1, 2 * chunks - 1], rows.Select((r, i) => (r, i)).Where(x => x.r.AtEpochEnd).Select(x => x.i));
        for (int i = 1; i < rows.Count; i++)
            if (rows[i].LearningRate != rows[i - 1].LearningRate) Assert.True(rows[i - 1].AtEpochEnd, $"lr changed after row {i - 1}");
        Assert.All(rows, r => Assert.False(double.IsNaN(r.ValidLoss)));
    }

    [Fact]
    public void AFolderHoldingAModelIsKeptUnlessResumeOrForce()
    {
        using var dir = new TempDir();
        string corpus = TinyData.Corpus(dir, 30);
        string vectors = TinyData.SaveVectors(dir, TinyData.Vectors(TinyData.Sentences));
        var options = TinyData.Options(corpus, vectors, dir.File("model"), LossKind.Cosine) with { MaxSteps = 2 };
        using (var first = new Trainer(options)) first.Train();
        byte[] weights = File.ReadAllBytes(Path.Combine(options.OutputDir, "model.weights"));
        var e = Assert.Throws<BadInputException>(() => new Trainer(options with { Loss = LossKind.Softmax }));
        Assert.Contains("--force", e.Message);
        Assert.Equal(weights, File.ReadAllBytes(Path.Combine(options.OutputDir, "model.weights")));
        Assert.Throws<BadInputException>(() => new Trainer(options with { Resume = true, Force = true }));
        File.WriteAllText(Path.Combine(options.OutputDir, ".checkpoint.bin.1.abc.tmp"), "left by a killed run");
        File.WriteAllText(Path.Combine(options.OutputDir, "notes.txt"), "mine");
        using (var forced = new Trainer(options with { Loss = LossKind.Softmax, Force = true })) forced.Train();
        Assert.False(File.Exists(Path.Combine(options.OutputDir, "targets.json")));   // the cosine model's, removed
        Assert.False(File.Exists(Path.Combine(options.OutputDir, ".checkpoint.bin.1.abc.tmp")));
        Assert.True(File.Exists(Path.Combine(options.OutputDir, "notes.txt")));
        Assert.Equal(LossKind.Softmax, new Checkpoint(options.OutputDir).LoadConfig().Loss);
    }

    [Fact]
    public void OnResumeAFixedOptionThatDiffersIsAnErrorNamingItAndAChangeableOneIsRecorded()
    {
        using var dir = new TempDir();
        string corpus = TinyData.Corpus(dir, 30);
        string vectors = TinyData.SaveVectors(dir, TinyData.Vectors(TinyData.Sentences));
        string valid = TinyData.Corpus(dir, 20, seed: 2, name: "valid.txt");
        var options = TinyData.Options(corpus, vectors, dir.File("model"), LossKind.Cosine) with { MaxSteps = 2, Dropout = 0.1, ValidPath = valid };
        using (var first = new Trainer(options)) first.Train();
        foreach (var (given, changed) in new[] { ("--dropout", options with { Dropout = 0.5 }), ("--bptt", options with { Bptt = 4 }),
                                                 ("--batch", options with { Batch = 2 }), ("--loss", options with { Loss = LossKind.L2 }) })
        {
            var e = Assert.Throws<BadInputException>(() => new Trainer(changed with { Resume = true, Given = new HashSet<string> { given } }));
            Assert.Contains(given, e.Message);
        }
        // Not given on the command line: the recorded value, whatever the default.
        using (var resumed = new Trainer(options with { Resume = true, Dropout = 0.2, MaxSteps = 4, ValidPath = null, Given = new HashSet<string> { "--max-steps" } }))
        {
            Assert.Equal(0.1, resumed.Options.Dropout);
            Assert.Equal(valid, resumed.Options.ValidPath);
            resumed.Train();
        }
        using (var faster = new Trainer(options with { Resume = true, LearningRate = 1e-3, MaxSteps = 5, Given = new HashSet<string> { "--lr", "--max-steps" } }))
            Assert.Equal(1e-3, faster.State.LearningRate);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(options.OutputDir, "config.json")));
        var resumes = json.RootElement.GetProperty("Training").GetProperty("Resumes");
        Assert.Equal(2, resumes.GetArrayLength());
        Assert.Contains(resumes[1].GetProperty("Changes").EnumerateArray(), c => c.GetString()!.StartsWith("--lr 0.01 → 0.001"));
    }

    [Fact]
    public void AFolderCopiedWithItsVectorsLoadsAndOtherVectorValuesAreRefused()
    {
        using var dir = new TempDir();
        string a = dir.File("a"), b = dir.File("b");
        Directory.CreateDirectory(a);
        string corpus = TinyData.Corpus(dir, 30);
        var words = TinyData.Vectors(TinyData.Sentences);
        string vectors = Path.Combine(a, "vectors.bin");
        words.Save(vectors);
        using (var trainer = new Trainer(TinyData.Options(corpus, vectors, Path.Combine(a, "run.model"), LossKind.Cosine) with { MaxSteps = 3 }))
            trainer.Train();
        Directory.Move(a, b);   // the original place is gone
        using (var model = TrainedModel.Load(Path.Combine(b, "run.model")))
            Assert.Equal(words.Count, model.Config.VocabSize);
        Assert.True(File.Exists(Path.Combine(b, "run.model", "vocab.txt")));
        // Same words, other values.
        TinyData.Vectors(TinyData.Sentences, seed: 8).Save(Path.Combine(b, "vectors.bin"));
        var e = Assert.Throws<InvalidDataException>(() => TrainedModel.Load(Path.Combine(b, "run.model")));
        Assert.Contains("other values", e.Message);
    }
}

/// <summary>Tests that need LibTorch's process-wide random generator (and thread count) to themselves.</summary>
[CollectionDefinition(nameof(Serial), DisableParallelization = true)]
public sealed class Serial;
