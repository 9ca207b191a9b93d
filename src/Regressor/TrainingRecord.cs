using System.Globalization;
using VecLm.Embeddings;

namespace VecLm.Regressor;

/// <summary>
/// Every option a model was trained with, kept in <c>config.json</c> (<see cref="ModelConfig.Training"/>), and how a
/// resumed run may differ from it. On <c>--resume</c> an option not given again keeps its recorded value. Given again
/// with another value, an option that fixes what the model is or what its checkpoint means (<see cref="Fixed"/>: the
/// loss and its knobs, the sizes, dropout, the targets, <c>--bptt</c>, <c>--batch</c>, the training text) is an
/// error naming it; one that only steers the rest of the run (<see cref="Changeable"/>: <c>--lr</c>, <c>--clip</c>,
/// the limits, threads, seed, the validation text and the schedules) takes the new value, recorded in
/// <see cref="Resumes"/>. The tokenizer is fixed too, and checked before the training text is read with it
/// (<see cref="Trainer.TextTokenizer"/>).
/// </summary>
public sealed record TrainingRecord
{
    public LossKind Loss { get; init; }
    public int Hidden { get; init; }
    public int Layers { get; init; }
    public double Dropout { get; init; }
    public bool TrainInputEmbeddings { get; init; }
    public string Targets { get; init; } = "raw";
    public double Margin { get; init; }
    public double VmfLambda { get; init; }
    public int Negatives { get; init; }
    public int Bptt { get; init; }
    public int Batch { get; init; }
    /// <summary>How the texts are tokenised (null: split on white space).</summary>
    public TokenizerOptions? Tokenizer { get; init; }
    /// <summary>The training text relative to the model folder, its token count and a checksum of its token ids.</summary>
    public string TrainPath { get; init; } = "";
    public long TrainTokens { get; init; }
    public string TrainChecksum { get; init; } = "";
    public string? ValidPath { get; init; }
    public double LearningRate { get; init; }
    public double Clip { get; init; }
    public double LearningRateDecay { get; init; }
    public int Epochs { get; init; }
    public TimeSpan? TimeLimit { get; init; }
    public long? MaxSteps { get; init; }
    public int? Threads { get; init; }
    public long? Seed { get; init; }
    public TimeSpan CheckpointEvery { get; init; }
    public TimeSpan? EvalEvery { get; init; }
    /// <summary>One entry per <c>--resume</c>: the step it continued from and the options it changed.</summary>
    public List<ResumeRecord> Resumes { get; init; } = [];

    public static TrainingRecord For(TrainOptions o, string modelDir, ReadOnlySpan<int> trainIds) => new()
    {
        Loss = o.Loss, Hidden = o.Hidden, Layers = o.Layers, Dropout = o.Dropout, TrainInputEmbeddings = o.TrainInputEmbeddings,
        Targets = o.Loss == LossKind.Softmax ? "raw" : PostProcessing.Parse(o.TargetsInEffect).ToString(),
        Margin = o.Margin, VmfLambda = o.VmfLambda, Negatives = o.Negatives, Bptt = o.Bptt, Batch = o.Batch,
        Tokenizer = o.Tokenizer, TrainPath = Relative(modelDir, o.TrainPath), TrainTokens = trainIds.Length, TrainChecksum = ChecksumOf(trainIds),
        ValidPath = o.ValidPath is { } v ? Relative(modelDir, v) : null,
        LearningRate = o.LearningRate, Clip = o.Clip, LearningRateDecay = o.LearningRateDecay, Epochs = o.Epochs,
        TimeLimit = o.TimeLimit, MaxSteps = o.MaxSteps, Threads = o.Threads, Seed = o.Seed,
        CheckpointEvery = o.CheckpointEvery, EvalEvery = o.EvalEvery,
    };

    /// <summary>
    /// The options of a resumed run: <paramref name="given"/>'s values where it gave them, the recorded ones elsewhere;
    /// throws naming a <see cref="Fixed"/> option given with another value; lists the changed <see cref="Changeable"/> ones.
    /// </summary>
    public TrainOptions Resume(TrainOptions given, ReadOnlySpan<int> trainIds, out List<string> changes)
    {
        if (trainIds.Length != TrainTokens || ChecksumOf(trainIds) != TrainChecksum)
            throw new BadInputException(
                $"--resume: '{given.TrainPath}' is not the training text this model was trained on ('{TrainPath}', {TrainTokens:N0} tokens)");
        var givenRecord = For(given, given.OutputDir, trainIds);
        // Without --targets (null) a resumed model keeps the targets it was trained with, whatever the default is now.
        bool Given(string option) => (given.Given is null || given.Given.Contains(option)) && (option != "--targets" || given.Targets is not null);
        foreach (var (option, value) in Fixed)
        {
            string was = value(this), now = value(givenRecord);
            if (Given(option) && was != now)
                throw new BadInputException(
                    $"--resume: {option} is {was} in this model, not {now}: a resumed run keeps it (drop {option}, or start again with --force)");
        }
        changes = Changeable.Where(c => Given(c.Option) && c.Value(this) != c.Value(givenRecord))
            .Select(c => $"{c.Option} {c.Value(this)} → {c.Value(givenRecord)}").ToList();
        return given with
        {
            Loss = Loss, Hidden = Hidden, Layers = Layers, Dropout = Dropout, TrainInputEmbeddings = TrainInputEmbeddings,
            Targets = Targets, Margin = Margin, VmfLambda = VmfLambda, Negatives = Negatives, Bptt = Bptt, Batch = Batch,
            Tokenizer = Tokenizer, LearningRate = Given("--lr") ? given.LearningRate : LearningRate,
            Clip = Given("--clip") ? given.Clip : Clip,
            Epochs = Given("--epochs") ? given.Epochs : Epochs,
            TimeLimit = Given("--time-limit") ? given.TimeLimit : TimeLimit,
            MaxSteps = Given("--max-steps") ? given.MaxSteps : MaxSteps,
            Threads = Given("--threads") ? given.Threads : Threads,
            Seed = Given("--seed") ? given.Seed : Seed,
            CheckpointEvery = Given("--checkpoint-every") ? given.CheckpointEvery : CheckpointEvery,
            EvalEvery = Given("--eval-every") ? given.EvalEvery : EvalEvery,
            ValidPath = Given("--valid") ? given.ValidPath
                : ValidPath is { } v ? Path.GetFullPath(Path.Combine(given.OutputDir, v)) : null,
        };
    }

    /// <summary>The record after a resume from <paramref name="step"/> with <paramref name="options"/>.</summary>
    public TrainingRecord Resumed(TrainOptions options, string modelDir, ReadOnlySpan<int> trainIds, long step, List<string> changes) =>
        For(options, modelDir, trainIds) with { Resumes = [.. Resumes, new ResumeRecord(step, changes)] };

    private static readonly (string Option, Func<TrainingRecord, string> Value)[] Fixed =
    [
        ("--loss", r => r.Loss.ToString().ToLowerInvariant()), ("--hidden", r => S(r.Hidden)), ("--layers", r => S(r.Layers)),
        ("--dropout", r => S(r.Dropout)), ("--train-input-embeddings", r => r.TrainInputEmbeddings ? "on" : "off"),
        ("--targets", r => r.Targets), ("--margin", r => S(r.Margin)), ("--vmf-lambda", r => S(r.VmfLambda)),
        ("--negatives", r => S(r.Negatives)), ("--bptt", r => S(r.Bptt)), ("--batch", r => S(r.Batch)),
        ("--tokenize", r => TokenizerOptions.Describe(r.Tokenizer)),
    ];

    private static readonly (string Option, Func<TrainingRecord, string> Value)[] Changeable =
    [
        ("--lr", r => S(r.LearningRate)), ("--clip", r => S(r.Clip)), ("--epochs", r => S(r.Epochs)),
        ("--time-limit", r => S(r.TimeLimit)), ("--max-steps", r => S(r.MaxSteps)), ("--threads", r => S(r.Threads)),
        ("--seed", r => S(r.Seed)), ("--checkpoint-every", r => S(r.CheckpointEvery)), ("--eval-every", r => S(r.EvalEvery)),
        ("--valid", r => r.ValidPath ?? "none"),
    ];

    private static string S(object? value) => value switch
    {
        null => "none",
        TimeSpan t => Durations.Format(t),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Relative(string dir, string path) => Path.GetRelativePath(Path.GetFullPath(dir), Path.GetFullPath(path));

    private static string ChecksumOf(ReadOnlySpan<int> ids) =>
        ModelConfig.Checksum(System.Runtime.InteropServices.MemoryMarshal.AsBytes(ids));
}

/// <summary>A resume: the step it continued from and the changed options (e.g. <c>--lr 0.002 → 0.001</c>).</summary>
public sealed record ResumeRecord(long Step, List<string> Changes);

/// <summary>Durations as the options write them: 90s, 10m, 2h (a bare number is minutes).</summary>
public static class Durations
{
    public static TimeSpan? TryParse(string text)
    {
        char unit = text.Length > 0 ? text[^1] : ' ';
        double scale = unit switch { 's' => 1, 'm' => 60, 'h' => 3600, _ => 0 };
        string number = scale == 0 ? text : text[..^1];
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0
            && double.IsFinite(value * (scale == 0 ? 60 : scale))
            ? TimeSpan.FromSeconds(value * (scale == 0 ? 60 : scale)) : null;
    }

    public static string Format(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
}
