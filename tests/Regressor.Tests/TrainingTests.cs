namespace VecLm.Regressor.Tests;

/// <summary>Training behaviour on tiny corpora: every loss learns, a memorised sentence decodes back, checkpoints.</summary>
public class TrainingTests
{
    /// <summary>A trainer over 120 lines of the tiny corpus and its vectors, writing into <paramref name="dir"/>/model.</summary>
    private static Trainer TinyTrainer(TempDir dir, LossKind loss, int maxSteps)
    {
        string corpus = TinyData.Corpus(dir, 120);
        string vectors = TinyData.SaveVectors(dir, TinyData.Vectors(TinyData.Sentences));
        return new Trainer(TinyData.Options(corpus, vectors, dir.File("model"), loss) with { MaxSteps = maxSteps });
    }

    [Theory]
    [InlineData(LossKind.Cosine)]
    [InlineData(LossKind.L2)]
    [InlineData(LossKind.MaxMargin)]
    [InlineData(LossKind.Vmf)]
    [InlineData(LossKind.Sampled)]
    [InlineData(LossKind.Softmax)]
    public void FiftyStepsAtLeastHalveTheLoss(LossKind loss)
    {
        using var dir = new TempDir();
        using var trainer = TinyTrainer(dir, loss, maxSteps: 50);
        double before = trainer.Evaluate(trainer.TrainBatches).Loss;
        var result = trainer.Train();
        double after = trainer.Evaluate(trainer.TrainBatches).Loss;
        Assert.Equal(50, result.Steps);
        Assert.True(after <= before / 2, $"{loss}: loss {before:F4} → {after:F4} after 50 steps");
    }

    /// <summary>
    /// Every loss trained at once on its own thread while another collects garbage and runs finalisers without pause:
    /// a Scalar that the step let go of while LibTorch still read it (TorchSharp's own Adam, <c>1 - cos</c>, <c>a + b</c>)
    /// fails a call ("toFloat", "Unknown scalar type") or makes the loss not finite.
    /// </summary>
    [Fact]
    public void EveryLossTrainsWhileTheCollectorRunsOnAnotherThread()
    {
        using var dir = new TempDir();
        using var stop = new CancellationTokenSource();
        var collector = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested) { GC.Collect(); GC.WaitForPendingFinalizers(); }
        });
        var losses = Enum.GetValues<LossKind>();
        var runs = losses.Select(loss => Task.Run(() =>
        {
            using var sub = new TempDir();
            using var trainer = TinyTrainer(sub, loss, maxSteps: 300);
            var result = trainer.Train();
            return (loss, result.Steps, trainer.Evaluate(trainer.TrainBatches).Loss);
        })).ToArray();
        try { Task.WaitAll(runs); }
        finally
        {
            stop.Cancel();
            collector.GetAwaiter().GetResult();
        }
        foreach (var (loss, steps, value) in runs.Select(r => r.Result))
        {
            Assert.Equal(300, steps);
            Assert.True(double.IsFinite(value), $"{loss}: loss {value}");
        }
    }

    [Theory]
    [InlineData(LossKind.Sampled)]
    [InlineData(LossKind.Softmax)]
    public void AnNllOverTheVocabularyIsMeasuredOnTheFirstChunksWhenLimited(LossKind loss)
    {
        using var dir = new TempDir();
        using var trainer = TinyTrainer(dir, loss, maxSteps: 1);
        var all = trainer.Evaluate(trainer.TrainBatches);
        var first = trainer.EvaluateLoss(trainer.TrainBatches, 40);
        int chunk = 4 * 8;                                                  // batch × bptt
        Assert.Equal(2 * chunk, first.Tokens);                              // whole chunks, until 40 are covered
        Assert.True(all.Tokens > 10 * first.Tokens, $"{all.Tokens} positions in all");
        Assert.Equal(all.Tokens, trainer.EvaluateLoss(trainer.TrainBatches, int.MaxValue).Tokens);
        Assert.True(first.Perplexity > 1 && double.IsFinite(first.Perplexity));
        // At Brown's size every validation position counts; at a million words a few thousand do.
        var config = trainer.Config;
        Assert.Equal(int.MaxValue, Evaluator.LossTokensFor(config with { Loss = LossKind.Cosine, VocabSize = 1_000_000 }));
        Assert.True(Evaluator.LossTokensFor(config with { VocabSize = 17_715 }) > 211_000);
        Assert.Equal(4_000, Evaluator.LossTokensFor(config with { VocabSize = 1_000_000 }));
    }

    [Fact]
    public void AnEvaluatorKeepsMorePredictionsThanItDecodesWithoutMeasuringMoreLoss()
    {
        // The shortlist reads more validation predictions than the fits decode, and the exact NLL of the sampled loss
        // must not be measured on them.
        using var dir = new TempDir();
        using var trainer = TinyTrainer(dir, LossKind.Sampled, maxSteps: 1);
        var config = trainer.Config;
        var vectors = TinyData.Vectors(TinyData.Sentences);
        var targets = TargetVectors.Create(vectors, VecLm.Embeddings.PostProcessing.Parse(config.Targets).Fit(vectors));
        var loss = OutputLoss.Create(config.Loss, targets, counts: [.. vectors.Vocabulary.Counts], negatives: config.Negatives);
        var evaluator = new Evaluator(trainer.Model, loss, config, null, null, decodeTokens: 40, lossTokens: 40, keepTokens: 100);
        var evaluation = evaluator.Evaluate(trainer.TrainBatches);
        int chunk = 4 * 8;                                                  // batch × bptt
        Assert.Equal(2 * chunk, evaluation.Tokens);                         // the loss: whole chunks until 40 are covered
        var (outputs, truth) = evaluator.LastOutputs;
        Assert.Equal(40, truth.Length);
        Assert.Equal(40 * config.EmbeddingDim, outputs.Length);
        Assert.Equal(100 * config.EmbeddingDim, evaluator.KeptOutputs.Length);
        Assert.Equal(outputs, evaluator.KeptOutputs[..outputs.Length]);
        // Kept predictions are the model's: the same rows as a run that decodes all 100.
        var all = new Evaluator(trainer.Model, loss, config, null, null, decodeTokens: 100, lossTokens: 40);
        all.Evaluate(trainer.TrainBatches);
        Assert.Equal(all.LastOutputs.Outputs, evaluator.KeptOutputs);
    }

    [Fact]
    public void ASoftmaxEvaluatorStopsReadingOnceItsLossAndTopOnePositionsAreCovered()
    {
        // At a million words every chunk read costs a [V, N] logits table: a softmax validation that read on past its
        // loss positions took 250 s of a 6-step run.
        using var dir = new TempDir();
        using var trainer = TinyTrainer(dir, LossKind.Softmax, maxSteps: 1);
        var config = trainer.Config;
        using var loss = new SoftmaxLoss();
        var evaluator = new Evaluator(trainer.Model, loss, config, null, null, decodeTokens: 40, lossTokens: 40, keepTokens: 100);
        var read = new List<double>();
        var evaluation = evaluator.Evaluate(trainer.TrainBatches, read.Add);
        int chunk = 4 * 8;                                                  // batch × bptt
        Assert.True(trainer.TrainBatches.Chunks > 2);
        Assert.Equal(2, read.Count);                                        // the chunks holding 40 positions, no more
        Assert.Equal(2 * chunk, evaluation.Tokens);
        Assert.Equal(40, evaluator.LastOutputs.Truth.Length);
        Assert.Empty(evaluator.KeptOutputs);
    }

    [Fact]
    public void ACosineModelTrainedOnOneSentenceDecodesItBack()
    {
        using var dir = new TempDir();
        const string sentence = "the quick brown fox jumps over the lazy dog";
        string corpus = TinyData.Repeated(dir, sentence, 60);
        string vectors = TinyData.SaveVectors(dir, TinyData.Vectors([sentence]));
        string model = dir.File("model");
        using (var trainer = new Trainer(TinyData.Options(corpus, vectors, model, LossKind.Cosine) with { MaxSteps = 150 }))
            trainer.Train();

        using var trained = TrainedModel.Load(model, vectors);
        var vocabulary = trained.Vectors.Vocabulary;
        var words = sentence.Split(' ');
        int[] input = [vocabulary.EndOfSentenceId, .. words.Select(w => vocabulary.IdOrUnknown(w))];
        var predicted = trained.PredictNext(input).Select(id => vocabulary[id]).ToArray();
        Assert.Equal([.. words, "</s>"], predicted);
    }

    [Fact]
    public void SaveThenLoadGivesIdenticalOutputs()
    {
        using var dir = new TempDir();
        string corpus = TinyData.Corpus(dir, 40);
        string vectors = TinyData.SaveVectors(dir, TinyData.Vectors(TinyData.Sentences));
        string model = dir.File("model");
        int[] input;
        float[] expected;
        using (var trainer = new Trainer(TinyData.Options(corpus, vectors, model, LossKind.Vmf) with { MaxSteps = 10, Epochs = 1 }))
        {
            trainer.Train();
            input = [0, 2, 3, 4, 5, 6, 2, 7];
            using var scope = TorchSharp.torch.NewDisposeScope();
            using var noGrad = TorchSharp.torch.no_grad();
            trainer.Model.eval();
            var (h, c) = trainer.Model.InitHidden(1);
            var ids = TorchSharp.torch.tensor(input.Select(i => (long)i).ToArray(), input.Length, 1);
            expected = trainer.Model.forward(ids, (h, c)).Output.reshape(-1).data<float>().ToArray();
        }
        using var loaded = TrainedModel.Load(model, vectors);
        Assert.Equal(expected, loaded.Outputs(input));
    }

    [Fact]
    public void ResumeContinuesFromTheSavedStep()
    {
        using var dir = new TempDir();
        string corpus = TinyData.Corpus(dir, 60);
        string vectors = TinyData.SaveVectors(dir, TinyData.Vectors(TinyData.Sentences));
        string model = dir.File("model");
        var options = TinyData.Options(corpus, vectors, model, LossKind.Cosine);
        TrainerState saved;
        using (var first = new Trainer(options with { MaxSteps = 7 }))
        {
            Assert.Equal(StopReason.MaxSteps, first.Train().Reason);
            saved = first.State;
        }
        using var second = new Trainer(options with { MaxSteps = 12, Resume = true });
        Assert.Equal(7, second.State.Step);
        Assert.Equal(saved.NextChunk, second.State.NextChunk);
        var result = second.Train();
        Assert.Equal(5, result.Steps);
        Assert.Equal(12, second.State.Step);
        Assert.Equal(2, MetricsLog.Read(Path.Combine(model, "metrics.csv")).Count);
        // The step time is kept apart from the wall time and adds up across the resume.
        Assert.InRange(saved.StepSeconds, 1e-6, saved.ElapsedSeconds);
        Assert.True(second.State.StepSeconds > saved.StepSeconds);
        Assert.True(second.State.StepSeconds <= second.State.ElapsedSeconds);
        // Each run's first step is counted apart: one step's tokens from the first run, one more from the resumed one.
        long perStep = saved.TokensTrained / 7;
        Assert.Equal(saved.TokensTrained, 7 * perStep);
        Assert.Equal(perStep, saved.WarmUpTokens);
        Assert.Equal(2 * perStep, second.State.WarmUpTokens);
        Assert.InRange(saved.WarmUpSeconds, 1e-9, saved.StepSeconds);
        Assert.True(second.State.WarmUpSeconds > saved.WarmUpSeconds && second.State.WarmUpSeconds < second.State.StepSeconds);
        Assert.Equal((12 - 2) * perStep / (second.State.StepSeconds - second.State.WarmUpSeconds),
                     second.State.SteadyTokensPerSecond, 9);
    }

    [Fact]
    public void EveryEpochWritesAMetricsLineWithValidation()
    {
        using var dir = new TempDir();
        string corpus = TinyData.Corpus(dir, 40);
        string valid = TinyData.Corpus(dir, 20, seed: 2, name: "valid.txt");
        string vectors = TinyData.SaveVectors(dir, TinyData.Vectors(TinyData.Sentences));
        string model = dir.File("model");
        using var trainer = new Trainer(TinyData.Options(corpus, vectors, model, LossKind.Softmax) with { ValidPath = valid, Epochs = 2 });
        var result = trainer.Train();
        Assert.Equal(StopReason.Epochs, result.Reason);
        var rows = MetricsLog.Read(Path.Combine(model, "metrics.csv"));
        Assert.Equal([1, 2], rows.Select(r => r.Epoch));
        Assert.All(rows, r => Assert.Equal(Math.Exp(r.ValidLoss), r.Perplexity, tolerance: 1e-5 * r.Perplexity));   // metrics.csv keeps 6 digits
        // Two epochs on five repeated sentences: better each epoch, and better than a uniform guess.
        int words = trainer.Config.VocabSize;
        Assert.True(rows[^1].ValidLoss < rows[0].ValidLoss && rows[^1].ValidLoss < Math.Log(words),
                    $"validation loss {rows[0].ValidLoss} → {rows[^1].ValidLoss}, ln |V| = {Math.Log(words)}");
        Assert.True(rows[^1].Top1 > 2.0 / words, $"validation top-1 {rows[^1].Top1} with {words} words");
        Assert.True(File.Exists(Path.Combine(model, "model.weights")));
    }
}
