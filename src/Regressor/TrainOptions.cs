using VecLm.Embeddings;
namespace VecLm.Regressor;

/// <summary>What <c>veclm train</c> was asked to do (the CLI's options, validated by <see cref="Validate"/>).</summary>
public sealed record TrainOptions
{
    public required string TrainPath { get; init; }
    public required string VectorsPath { get; init; }
    public required string OutputDir { get; init; }
    public string? ValidPath { get; init; }
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
    public bool Resume { get; init; }
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
/// One epoch's line of <c>metrics.csv</c>. Top-1 is NaN without a validation set; perplexity only for softmax and the
/// sampled loss; the prior and posterior rules' top-1 and their fitted β only for a regression head.
/// </summary>
public readonly record struct EpochMetrics(
    int Epoch, double WallSeconds, double TrainLoss, double ValidLoss, double Top1, double Perplexity, double LearningRate,
    double Top1Prior = double.NaN, double Beta = double.NaN, double Top1Posterior = double.NaN, double PosteriorBeta = double.NaN)
{
    /// <summary>The best validation top-1 of the epoch: the better of the prior and posterior rules' where there are.</summary>
    public double BestTop1 => new[] { Top1, Top1Prior, Top1Posterior }.Where(x => !double.IsNaN(x)).DefaultIfEmpty(double.NaN).Max();
}

/// <summary>The outcome of <see cref="Trainer.Train"/>.</summary>
public sealed record TrainResult(
    StopReason Reason, long Steps, long TokensTrained, TimeSpan TrainingTime, double TokensPerSecond,
    IReadOnlyList<EpochMetrics> Epochs, string ModelDir, string Message);
