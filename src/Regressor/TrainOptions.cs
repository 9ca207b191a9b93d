using VecLm.Embeddings;
namespace VecLm.Regressor;

/// <summary>What <c>veclm train</c> was asked to do (the CLI's options, validated by <see cref="Validate"/>).</summary>
public sealed record TrainOptions
{
    public required string TrainPath { get; init; }
    public required string VectorsPath { get; init; }
    public required string OutputDir { get; init; }
    public string? ValidPath { get; init; }
    /// <summary>
    /// <c>--tokenize [--lowercase]</c> as given (null: not given); <see cref="Trainer.TextTokenizer"/> turns it into the
    /// tokenizer in effect, which the trainer's <see cref="Trainer.Options"/> hold.
    /// </summary>
    public TokenizerOptions? Tokenizer { get; init; }
    /// <summary>
    /// A decode vocabulary (<see cref="Regressor.DecodeVocabulary"/>) copied into the model folder: what the model
    /// decodes to after training unless told otherwise; training and its validation use the training vocabulary.
    /// </summary>
    public string? DecodeVocab { get; init; }
    public LossKind Loss { get; init; } = LossKind.Cosine;
    public int Hidden { get; init; } = 256;
    public int Layers { get; init; } = 2;
    public double Dropout { get; init; } = 0.2;
    public bool TrainInputEmbeddings { get; init; }
    public int Bptt { get; init; } = 35;
    public int Batch { get; init; } = 32;
    public int Epochs { get; init; } = 10;
    public TimeSpan? TimeLimit { get; init; }
    /// <summary>Stop after this many optimizer steps in total (benchmarks, tests); null for no limit.</summary>
    public long? MaxSteps { get; init; }
    public double LearningRate { get; init; } = 2e-3;
    /// <summary>Gradient-norm clipping threshold; 0 turns clipping off.</summary>
    public double Clip { get; init; } = 1.0;
    /// <summary>Factor applied to the learning rate when the validation loss does not improve.</summary>
    public double LearningRateDecay { get; init; } = 0.5;
    public int? Threads { get; init; }
    public long? Seed { get; init; }
    /// <summary>Continue from the model folder's checkpoint (<see cref="TrainingRecord.Resume"/> says what may differ).</summary>
    public bool Resume { get; init; }
    /// <summary>Train from scratch into a folder that holds a model, removing that model's files first.</summary>
    public bool Force { get; init; }
    /// <summary>How often the checkpoint is written (also at every validation and at the end).</summary>
    public TimeSpan CheckpointEvery { get; init; } = DefaultCheckpointEvery;
    public static readonly TimeSpan DefaultCheckpointEvery = TimeSpan.FromMinutes(10);
    /// <summary>
    /// How often to validate within an epoch (with <see cref="ValidPath"/>; besides every epoch's end): a metrics.csv
    /// row and the best model kept. Null: at epoch ends only. The learning-rate rule applies at epoch ends only.
    /// </summary>
    public TimeSpan? EvalEvery { get; init; }
    /// <summary>
    /// The options given on the command line (e.g. <c>--lr</c>); on <c>--resume</c> the others keep the values the
    /// model was trained with. Null: every option counts as given (library callers).
    /// </summary>
    public IReadOnlySet<string>? Given { get; init; }
    /// <summary>
    /// How the regression targets are post-processed (<c>raw</c>, <c>center</c>, <c>abtt[:D]</c>); see
    /// <see cref="TargetVectors"/>. Null for the loss's default (<see cref="DefaultTargets"/>). Ignored by softmax.
    /// </summary>
    public string? Targets { get; init; }
    /// <summary>The targets in effect: <see cref="Targets"/> if given, else the loss's default.</summary>
    public string TargetsInEffect => Targets ?? DefaultTargets(Loss);

    /// <summary>
    /// Centred targets for the cosine-family losses (raw small-corpus vectors share one large common direction that a
    /// cosine regression collapses onto); raw for the sampled loss, whose softmax over ŷ·e(w) cancels the common
    /// direction by itself and keeps the leading principal directions, which carry word frequency (on Brown: test
    /// perplexity 132.2 raw, 137.8 centred, 146.8 all-but-the-top, for the same 15 minutes).
    /// </summary>
    public static string DefaultTargets(LossKind loss) => loss == LossKind.Sampled ? "raw" : "center";
    /// <summary>γ of the max-margin loss.</summary>
    public double Margin { get; init; } = MaxMarginLoss.DefaultMargin;
    /// <summary>λ₂ of the regularised NLLvMF loss, in (0, 1).</summary>
    public double VmfLambda { get; init; } = VmfLoss.DefaultLambda;
    /// <summary>Words sampled per batch by the sampled loss.</summary>
    public int Negatives { get; init; } = SampledLoss.DefaultNegatives;

    public void Validate()
    {
        if (Resume && Force) throw new BadInputException("--resume continues the model in the folder and --force replaces it: pass one of them");
        if (CheckpointEvery < TimeSpan.Zero) throw new BadInputException("--checkpoint-every must be positive");
        if (EvalEvery is { } e && e <= TimeSpan.Zero) throw new BadInputException("--eval-every must be positive");
        if (Epochs <= 0) throw new BadInputException($"--epochs must be positive (got {Epochs})");
        if (TimeLimit is { } t && t <= TimeSpan.Zero) throw new BadInputException("--time-limit must be positive");
        if (MaxSteps is <= 0) throw new BadInputException($"--max-steps must be positive (got {MaxSteps})");
        if (!(LearningRate > 0)) throw new BadInputException($"--lr must be positive (got {LearningRate})");
        if (!(Clip >= 0)) throw new BadInputException($"--clip must be ≥ 0 (got {Clip})");
        if (Threads is <= 0) throw new BadInputException($"--threads must be positive (got {Threads})");
        if (Bptt <= 0) throw new BadInputException($"--bptt must be positive (got {Bptt})");
        if (Batch <= 0) throw new BadInputException($"--batch must be positive (got {Batch})");
        Embeddings.PostProcessing.Parse(TargetsInEffect);
        if (!(Margin > 0 && Margin <= 2)) throw new BadInputException($"--margin must be in (0, 2] (got {Margin})");
        if (Negatives < 1) throw new BadInputException($"--negatives must be at least 1 (got {Negatives})");
        if (!(VmfLambda > 0 && VmfLambda < 1)) throw new BadInputException($"--vmf-lambda must be in (0, 1) (got {VmfLambda})");
    }
}

/// <summary>A progress report: after every few training steps, and at each validation.</summary>
public readonly record struct TrainProgress(
    int Epoch, int Epochs, long Step, double Fraction, double Loss, double TokensPerSecond, TimeSpan Elapsed, TimeSpan? Remaining,
    string Phase);

/// <summary>Why training stopped.</summary>
public enum StopReason { Epochs, TimeLimit, MaxSteps, Interrupted, NaNLoss }

/// <summary>
/// One validation's line of <c>metrics.csv</c>: at every epoch's end and, with <c>--eval-every</c>, within epochs
/// (<see cref="Step"/>, and <see cref="EpochsTrained"/> as a fraction: 1.25 is a quarter into epoch 2). The train loss
/// is the mean since the previous line. Top-1 is NaN without a validation set; perplexity only for softmax and the
/// sampled loss; the prior and posterior rules' top-1 and their fitted β only for a regression head. Step and
/// EpochsTrained are 0 and NaN in files written before they existed, as is StepSeconds (the time spent in training
/// steps, validation and checkpoints excluded).
/// </summary>
public readonly record struct EpochMetrics(
    int Epoch, double WallSeconds, double TrainLoss, double ValidLoss, double Top1, double Perplexity, double LearningRate,
    double Top1Prior = double.NaN, double Beta = double.NaN, double Top1Posterior = double.NaN, double PosteriorBeta = double.NaN,
    long Step = 0, double EpochsTrained = double.NaN, double StepSeconds = double.NaN)
{
    /// <summary>True for a line written at the end of its epoch (or in a file without the fraction).</summary>
    public bool AtEpochEnd => double.IsNaN(EpochsTrained) || EpochsTrained >= Epoch;

    /// <summary>The best validation top-1 of the epoch: the better of the prior and posterior rules' where there are.</summary>
    public double BestTop1 => new[] { Top1, Top1Prior, Top1Posterior }.Where(x => !double.IsNaN(x)).DefaultIfEmpty(double.NaN).Max();
}

/// <summary>The outcome of <see cref="Trainer.Train"/>.</summary>
public sealed record TrainResult(
    StopReason Reason, long Steps, long TokensTrained, TimeSpan TrainingTime, double TokensPerSecond,
    IReadOnlyList<EpochMetrics> Epochs, string ModelDir, string Message);
