using System.Diagnostics;
using VecLm.Decoder;
using VecLm.Embeddings;
using TorchSharp;
using static TorchSharp.torch;

namespace VecLm.Regressor;

/// <summary>
/// Trains an <see cref="RnnModel"/> the word_language_model way: the corpus as <c>batch</c> parallel streams,
/// truncated back-propagation through <c>bptt</c> steps with the hidden state carried (and detached) between
/// chunks, Adam, gradient-norm clipping, the learning rate cut when the validation loss stops improving at an epoch's
/// end, the best model kept. Each step runs in its own dispose scope, so native memory stays flat. The checkpoint
/// (<see cref="ResumePoint"/>) is written on a schedule (<see cref="TrainingSchedule"/>), never per step.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly TrainOptions options;
    private readonly Action<TrainProgress> progress;
    private readonly Checkpoint checkpoint;
    private readonly ModelConfig config;
    private readonly TokenBatches train;
    private readonly TokenBatches? valid;
    private readonly TargetVectors? targets;
    private readonly OpenTargets? open;
    private readonly OutputLoss loss;
    private readonly RnnModel model;
    private readonly IReadOnlyList<TorchSharp.Modules.Parameter> parameters;
    private readonly Adam optimizer;
    private readonly Evaluator evaluator;
    private readonly MetricsLog metrics;
    private readonly Stopwatch clock = new(), stepClock = new();
    private TrainerState state;
    /// <summary>The LSTM state carried from one chunk to the next within an epoch (null at an epoch's start).</summary>
    private (Tensor H, Tensor C)? hidden;
    private double elapsedBefore, stepSecondsBefore;

    public Trainer(TrainOptions options, Action<TrainProgress>? progress = null)
    {
        options.Validate();
        this.progress = progress ?? (_ => { });
        var vectors = WordVectors.Load(options.VectorsPath);
        checkpoint = new Checkpoint(options.OutputDir);
        DecodeVocabulary? decodeVocabulary = null;
        if (options.DecodeVocab is { } list)
        {
            if (options.Loss == LossKind.Softmax) throw new BadInputException("--decode-vocab goes with a regression head, not --loss softmax");
            decodeVocabulary = DecodeVocabulary.Load(list, options.VectorsPath, vectors.Vocabulary);   // checked before any work
        }
        else if (options.Resume && File.Exists(checkpoint.DecodeVocabPath))
            decodeVocabulary = DecodeVocabulary.Load(checkpoint.DecodeVocabPath, options.VectorsPath, vectors.Vocabulary);
        TrainingMemory.Check(options, vectors.Count + (decodeVocabulary?.Count ?? 0), vectors.Dim);   // before the folder is touched
        options = options with { Tokenizer = TextTokenizer(options, vectors.Tokenizer).Tokenizer };
        var trainIds = TokenBatches.Tokenize(options.TrainPath, vectors.Vocabulary, options.Tokenizer);
        List<string> changes = [];
        if (options.Resume) (config, options) = ResumedConfig(vectors, options, trainIds, out changes);
        else
        {
            checkpoint.StartFresh(options.Force);
            config = NewConfig(vectors, options, trainIds);
        }
        this.options = options;
        if (options.Threads is { } threads) set_num_threads(threads);
        if (options.Seed is { } seed) random.manual_seed(seed);
        NativeHeap.KeepFreedMemory();   // a step's large tensors reuse the last step's pages
        targets = !config.IsRegression ? null
            : options.Resume ? checkpoint.LoadTargets(config, vectors)
            : TargetVectors.Create(vectors, PostProcessing.Parse(config.Targets).Fit(vectors));
        if (targets is not null && decodeVocabulary is not null && OpenTargets.TrainsOn(config.Loss))
            open = OpenTargets.Build(vectors, decodeVocabulary, targets.Processor, options.TrainPath, options.Tokenizer);
        train = new TokenBatches(trainIds, options.Batch, options.Bptt, options.TrainPath, open?.TrainTargets);
        if (options.ValidPath is { } validPath)
            valid = new TokenBatches(TokenBatches.Tokenize(validPath, vectors.Vocabulary, options.Tokenizer), 10, options.Bptt, validPath);
        var decoding = targets is null ? null : DecodingState.FromTokens(trainIds, config.VocabSize);
        loss = OutputLoss.Create(config.Loss, targets, config.Margin, config.VmfLambda, decoding?.Counts, config.Negatives, open);
        model = new RnnModel(config, vectors.Data);
        parameters = model.parameters().Where(p => p.requires_grad).ToList();
        optimizer = CreateOptimizer(parameters, options.LearningRate);
        evaluator = new Evaluator(model, loss, config, targets, decoding, DecodingState.FitTokensFor(config.VocabSize),
                                  Evaluator.LossTokensFor(config), DecodingState.ShortlistTokensFor(config.VocabSize));
        Directory.CreateDirectory(checkpoint.Dir);
        if (options.Resume)
        {
            checkpoint.RemoveTemporaries();
            if (config.Format < ModelConfig.CurrentFormat) checkpoint.UpgradeBest(config, vectors.Data);
            (state, hidden) = checkpoint.LoadResumePoint(model, optimizer, config, train.Batch);
            if (changes.Any(c => c.StartsWith("--lr ", StringComparison.Ordinal))) state = state with { LearningRate = options.LearningRate };
            SetLearningRate(state.LearningRate);
            var record = config.Training ?? TrainingRecord.For(options, checkpoint.Dir, trainIds);
            if (config.Training is null) changes = ["(a folder of an earlier version: the options given)"];
            config = config with
            {
                Format = ModelConfig.CurrentFormat, VectorsFullPath = config.VectorsFullPath ?? Path.GetFullPath(config.VectorsPath),
                VectorsChecksum = config.VectorsChecksum ?? ModelConfig.ChecksumOf(vectors),
                Training = record.Resumed(options, checkpoint.Dir, trainIds, state.Step, changes),
            };
            checkpoint.SaveConfig(config);
            if (!File.Exists(checkpoint.VocabPath)) checkpoint.SaveVocabulary(vectors.Vocabulary);
        }
        else
        {
            state = new TrainerState { LearningRate = options.LearningRate };
            string? targetsChecksum = null;
            if (targets is not null)
            {
                targetsChecksum = checkpoint.SaveTargets(targets.Processor);
                Checkpoint.Write(checkpoint.DecodingPath, () => decoding!.Save(checkpoint.DecodingPath));
            }
            checkpoint.SaveVocabulary(vectors.Vocabulary);
            config = config with { TargetsChecksum = targetsChecksum };
            checkpoint.SaveConfig(config);
        }
        if (options.DecodeVocab is { } decodeVocab)
            Checkpoint.Write(checkpoint.DecodeVocabPath, () => AtomicFile.Write(checkpoint.DecodeVocabPath, stream =>
            {
                using var source = File.OpenRead(decodeVocab);
                source.CopyTo(stream);
            }));
        metrics = new MetricsLog(checkpoint.MetricsPath, keepUpToStep: options.Resume ? state.Step : null);
    }

    public ModelConfig Config => config;

    /// <summary>
    /// The tokenizer the training and validation texts are read with, and a line saying why (or null): the one the
    /// vectors record (their <c>.tokenizer.json</c>), or on <c>--resume</c> the model's; <c>--tokenize</c> given
    /// (<see cref="TrainOptions.Tokenizer"/>) applies where the vectors record none and must otherwise be the recorded one
    /// (<see cref="TokenizerOptions.Choose"/>; on <c>--resume</c> always). Reads small files only: a command calls it to
    /// say so, or fail, before training.
    /// </summary>
    public static TokenizerChoice TextTokenizer(TrainOptions options) =>
        TextTokenizer(options, WordVectors.TokenizerOf(options.VectorsPath));

    private static TokenizerChoice TextTokenizer(TrainOptions options, TokenizerOptions? vectors)
    {
        var checkpoint = new Checkpoint(options.OutputDir);
        if (options.Resume && File.Exists(checkpoint.ConfigPath))
            return TokenizerOptions.Choose(checkpoint.LoadConfig().Tokenizer, options.Tokenizer, $"the model {checkpoint.Dir}", resume: true);
        return TokenizerOptions.Choose(vectors, options.Tokenizer, $"the vectors file {options.VectorsPath}");
    }
    /// <summary>The training targets over the decode vocabulary too (<c>--decode-vocab</c> with cosine, L2 or sampled), or null.</summary>
    public OpenTargets? Open => open;
    public RnnModel Model => model;
    public TrainerState State => state;
    /// <summary>The options in effect (on --resume: the recorded ones, with the changes given).</summary>
    public TrainOptions Options => options;
    internal TokenBatches TrainBatches => train;
    /// <summary>Called after every step with its number, once any checkpoint of that step is written (tests).</summary>
    internal Action<long>? AfterStep { get; set; }

    /// <summary>The model's mean loss, top-1 and perplexity on <paramref name="batches"/> (eval mode).</summary>
    public Evaluation Evaluate(TokenBatches batches) => evaluator.Evaluate(batches);

    /// <summary>The loss alone on the first chunks holding <paramref name="lossTokens"/> positions (tests).</summary>
    internal Evaluation EvaluateLoss(TokenBatches batches, int lossTokens) =>
        new Evaluator(model, loss, config, null, null, 0, lossTokens).Evaluate(batches);

    /// <summary>
    /// Trains until the epochs, the time limit or the step limit are used up, or <paramref name="cancel"/> fires (then
    /// the step in progress finishes and the checkpoint is written). Validates at every epoch's end and every
    /// <c>--eval-every</c>; writes the checkpoint every <c>--checkpoint-every</c>, at every validation and at the end.
    /// </summary>
    public TrainResult Train(CancellationToken cancel = default)
    {
        clock.Restart();
        stepClock.Reset();
        elapsedBefore = state.ElapsedSeconds;
        stepSecondsBefore = state.StepSeconds;
        long tokensThisRun = 0, stepsAtStart = state.Step;
        var schedule = new TrainingSchedule(options.CheckpointEvery, valid is null ? null : options.EvalEvery);
        var lastReport = TimeSpan.Zero;
        string message = "";
        StopReason reason;
        model.train();
        while (true)
        {
            if (cancel.IsCancellationRequested) { reason = StopReason.Interrupted; break; }
            if (options.MaxSteps is { } max && state.Step >= max) { reason = StopReason.MaxSteps; break; }
            if (state.Epoch > options.Epochs) { reason = StopReason.Epochs; break; }
            if (options.TimeLimit is { } limit && clock.Elapsed >= limit) { reason = StopReason.TimeLimit; break; }
            stepClock.Start();
            double value = Step(state.NextChunk, out long n);
            stepClock.Stop();
            if (!double.IsFinite(value))
            {
                message = $"the training loss became {value} at step {state.Step + 1} (epoch {state.Epoch}); " +
                          $"kept the last good checkpoint in {checkpoint.Dir}; try a lower --lr or --clip";
                reason = StopReason.NaNLoss;
                break;
            }
            bool first = tokensThisRun == 0;
            tokensThisRun += n;
            state = state with
            {
                NextChunk = state.NextChunk + 1, Step = state.Step + 1, TokensTrained = state.TokensTrained + n,
                WarmUpSeconds = state.WarmUpSeconds + (first ? stepClock.Elapsed.TotalSeconds : 0),
                WarmUpTokens = state.WarmUpTokens + (first ? n : 0),
                EpochLossSum = state.EpochLossSum + value, EpochLossCount = state.EpochLossCount + 1,
            };
            if (clock.Elapsed - lastReport > TimeSpan.FromMilliseconds(250) || state.NextChunk == train.Chunks)
            {
                lastReport = clock.Elapsed;
                Report(value, tokensThisRun / Math.Max(stepClock.Elapsed.TotalSeconds, 1e-9), "train");
            }
            if (state.NextChunk >= train.Chunks) EndEpoch(schedule);
            else if (schedule.Due(clock.Elapsed) is var (validate, save) && (validate || save))
            {
                if (validate) Validate(plateauRule: false, schedule);
                else SaveCheckpoint(schedule);
            }
            AfterStep?.Invoke(state.Step);
        }
        if (reason is StopReason.Interrupted)
        {
            SaveCheckpoint(schedule);
            message = $"interrupted: checkpoint saved at step {state.Step}; continue with the same command and --resume";
        }
        // A limit reached within an epoch: validate there (no learning-rate rule) unless just done, then save.
        else if (reason is StopReason.TimeLimit or StopReason.MaxSteps && state.Step > stepsAtStart
                 && state.ValidatedStep != state.Step)
            Validate(plateauRule: false, schedule);
        UpdateClocks();
        double seconds = stepClock.Elapsed.TotalSeconds;
        if (message.Length == 0) message = reason switch
        {
            StopReason.TimeLimit => $"time limit reached after {state.Step} steps",
            StopReason.MaxSteps => $"step limit reached ({state.Step} steps)",
            _ => $"trained {options.Epochs} epochs ({state.Step} steps)",
        };
        return new TrainResult(reason, state.Step - stepsAtStart, tokensThisRun, stepClock.Elapsed,
            seconds > 0 ? tokensThisRun / seconds : 0, metrics.Rows, checkpoint.Dir, message);
    }

    /// <summary>One optimizer step on chunk <paramref name="chunk"/>; returns its loss (not applied if not finite).</summary>
    private double Step(int chunk, out long tokens)
    {
        var carried = hidden ??= model.InitHidden(train.Batch);   // outside the step's scope: it outlives the step
        using var scope = NewDisposeScope();
        var (input, target) = train.Chunk(chunk);                               // [T, B] each
        optimizer.zero_grad();
        var (features, next) = model.Features(input, carried);                  // [T, B, H]
        var ids = target.reshape(-1);                                           // [T·B]
        double value = loss.Backward(model, features.reshape(-1, config.Hidden), ids);
        tokens = ids.shape[0];
        if (!double.IsFinite(value)) return value;
        if (options.Clip > 0) nn.utils.clip_grad_norm_(parameters, options.Clip);
        optimizer.step();
        DisposeHidden();
        hidden = (next.H.detach().MoveToOuterDisposeScope(), next.C.detach().MoveToOuterDisposeScope());
        return value;
    }

    /// <summary>
    /// An epoch is done: validation with the plateau rule for the learning rate, then the next epoch (from a zero
    /// LSTM state), then the checkpoint.
    /// </summary>
    private void EndEpoch(TrainingSchedule schedule)
    {
        Validate(plateauRule: true, schedule: null);
        DisposeHidden();
        state = state with { Epoch = state.Epoch + 1, NextChunk = 0 };
        SaveCheckpoint(schedule);
        schedule.Validated(clock.Elapsed);
    }

    /// <summary>
    /// Validation, a metrics.csv line, the best model kept (with its decoding fitted); at an epoch's end the learning
    /// rate is cut when the validation loss did not improve. Then the checkpoint, unless <paramref name="schedule"/> is
    /// null (the caller writes it).
    /// </summary>
    private void Validate(bool plateauRule, TrainingSchedule? schedule)
    {
        double trainLoss = state.EpochLossCount > 0 ? state.EpochLossSum / state.EpochLossCount : double.NaN;
        var eval = valid is null ? new Evaluation(double.NaN, double.NaN, double.NaN, 0)
            : evaluator.Evaluate(valid, f => Report(trainLoss, 0, $"validating {f:P0}"));
        model.train();
        UpdateClocks();
        double lr = state.LearningRate;
        metrics.Add(new EpochMetrics(state.Epoch, state.ElapsedSeconds, trainLoss, eval.Loss, eval.Top1, eval.Perplexity, lr,
            eval.Top1Prior, eval.Beta, eval.Top1Posterior, eval.PosteriorBeta, state.Step,
            state.Epoch - 1 + (double)state.NextChunk / train.Chunks, state.StepSeconds));
        double best = state.BestValidLoss;
        if (valid is null || eval.Loss < best)
        {
            SaveBest();
            best = valid is null ? best : eval.Loss;
        }
        else if (plateauRule)
        {
            lr *= options.LearningRateDecay;
            SetLearningRate(lr);
        }
        state = state with { LearningRate = lr, BestValidLoss = best, EpochLossSum = 0, EpochLossCount = 0, ValidatedStep = state.Step };
        if (schedule is null) return;
        SaveCheckpoint(schedule);
        schedule.Validated(clock.Elapsed);
    }

    /// <summary>
    /// The best model: its decoding fitted on the validation predictions (the rules the evaluator fitted, CSLS hubness
    /// measured on the same predictions, and the shortlist of words those and more predictions decode to), then model.weights and
    /// decoding.json written one after the other.
    /// </summary>
    private void SaveBest()
    {
        DecodingState? fitted = null;
        if (valid is not null && evaluator.LastFit is { } fit && targets is not null)
        {
            Report(0, 0, "fitting the decoding");
            fitted = fit.WithHubness(targets.Index, evaluator.LastOutputs.Outputs, get_num_threads())
                .WithShortlist(targets.Index, evaluator.KeptOutputs, get_num_threads());
        }
        checkpoint.SaveBest(model);
        if (fitted is not null) Checkpoint.Write(checkpoint.DecodingPath, () => fitted.Save(checkpoint.DecodingPath));
    }

    private void SaveCheckpoint(TrainingSchedule schedule)
    {
        UpdateClocks();
        checkpoint.SaveResumePoint(model, optimizer, state, hidden);
        schedule.Checkpointed(clock.Elapsed);
    }

    private void UpdateClocks() => state = state with
    {
        ElapsedSeconds = elapsedBefore + clock.Elapsed.TotalSeconds,
        StepSeconds = stepSecondsBefore + stepClock.Elapsed.TotalSeconds,
    };

    private void DisposeHidden()
    {
        if (hidden is not { } h) return;
        h.H.Dispose();
        h.C.Dispose();
        hidden = null;
    }

    private void Report(double loss, double tokensPerSecond, string phase)
    {
        var elapsed = clock.Elapsed;
        double epochs = options.Epochs;
        double fraction = (state.Epoch - 1 + (double)state.NextChunk / train.Chunks) / epochs;
        if (options.TimeLimit is { } limit) fraction = Math.Max(fraction, elapsed / limit);
        if (options.MaxSteps is { } max) fraction = Math.Max(fraction, (double)state.Step / max);
        fraction = Math.Clamp(fraction, 0, 1);
        TimeSpan? remaining = fraction > 0 ? elapsed * ((1 - fraction) / fraction) : null;
        progress(new TrainProgress(state.Epoch, options.Epochs, state.Step, fraction, loss, tokensPerSecond, elapsed,
            remaining, phase));
    }

    private static ModelConfig NewConfig(WordVectors vectors, TrainOptions options, int[] trainIds) =>
        ModelConfig.For(vectors, options.VectorsPath, options.Loss, options.Hidden, options.Layers, options.Dropout,
            options.TrainInputEmbeddings, options.TargetsInEffect) with
        {
            Margin = options.Margin, VmfLambda = options.VmfLambda, Negatives = options.Negatives, Tokenizer = options.Tokenizer,
            Training = TrainingRecord.For(options, options.OutputDir, trainIds),
        };

    /// <summary>
    /// The saved config of a resumed run, checked against the vectors, and the options in effect: the recorded ones
    /// with the changes given (<see cref="TrainingRecord.Resume"/>); for a folder without a record, the options given,
    /// whose shape and loss must match the config.
    /// </summary>
    private (ModelConfig, TrainOptions) ResumedConfig(WordVectors vectors, TrainOptions options, int[] trainIds, out List<string> changes)
    {
        changes = [];
        if (!checkpoint.CanResume)
            throw new FileNotFoundException(checkpoint.HoldsModel
                ? $"nothing to resume in {checkpoint.Dir}: no checkpoint.bin (the run stopped before its first checkpoint); start again with --force"
                : $"nothing to resume in {checkpoint.Dir}: it holds no model", checkpoint.CheckpointPath);
        var saved = checkpoint.LoadConfig();
        saved.CheckMatches(vectors, options.VectorsPath);
        if (saved.Training is { } record) return (saved, record.Resume(options, trainIds, out changes));
        // Without --targets a resumed model keeps the targets it was trained with, whatever the default is now.
        string targets = saved.IsRegression && options.Targets is { } given ? PostProcessing.Parse(given).ToString() : saved.Targets;
        if (saved.Loss != options.Loss || saved.Hidden != options.Hidden || saved.Layers != options.Layers
            || saved.Targets != targets)
            throw new BadInputException(
                $"--resume: the model in {checkpoint.Dir} is {saved.Loss} hidden {saved.Hidden} layers {saved.Layers} " +
                $"targets {saved.Targets}, not {options.Loss} hidden {options.Hidden} layers {options.Layers} targets {targets}");
        return (saved, options);
    }

    /// <summary>
    /// Adam with PyTorch's defaults, β = (0.9, 0.999), ε = 1e-8. TorchSharp's <c>torch.optim.Adam(…)</c> factory
    /// defaults to β₂ = 0.99 (its documentation says 0.999), which made the softmax baseline markedly worse than the
    /// same model in PyTorch; the constructor is called with every value spelled out. Its step holds the Scalars it
    /// makes (<see cref="Adam"/>).
    /// </summary>
    internal static Adam CreateOptimizer(IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr) =>
        new(parameters, lr, beta1: 0.9, beta2: 0.999, eps: 1e-8);

    private void SetLearningRate(double lr)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
    }

    public void Dispose()
    {
        DisposeHidden();
        optimizer.Dispose();
        model.Dispose();
        targets?.Dispose();
        open?.Dispose();
        (loss as IDisposable)?.Dispose();
        train.Dispose();
        valid?.Dispose();
    }
}
