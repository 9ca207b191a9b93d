using System.Diagnostics;
using VecLm.Decoder;
using VecLm.Embeddings;
using TorchSharp;
using static TorchSharp.torch;

namespace VecLm.Regressor;

/// <summary>
/// Trains an <see cref="RnnModel"/> the word_language_model way: the corpus as <c>batch</c> parallel streams,
/// truncated back-propagation through <c>bptt</c> steps with the hidden state carried (and detached) between
/// chunks, Adam, gradient-norm clipping, the learning rate cut when the validation loss stops improving, the best
/// model kept. Each step runs in its own dispose scope, so native memory stays flat.
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
    private readonly OutputLoss loss;
    private readonly RnnModel model;
    private readonly IReadOnlyList<TorchSharp.Modules.Parameter> parameters;
    private readonly TorchSharp.Modules.Adam optimizer;
    private readonly Evaluator evaluator;
    private readonly MetricsLog metrics;
    private TrainerState state;

    public Trainer(TrainOptions options, Action<TrainProgress>? progress = null)
    {
        options.Validate();
        this.options = options;
        this.progress = progress ?? (_ => { });
        if (options.Threads is { } threads) set_num_threads(threads);
        if (options.Seed is { } seed) random.manual_seed(seed);
        var vectors = WordVectors.Load(options.VectorsPath);
        checkpoint = new Checkpoint(options.OutputDir);
        config = ConfigFor(vectors);
        var trainIds = TokenBatches.Tokenize(options.TrainPath, vectors.Vocabulary);
        train = new TokenBatches(trainIds, options.Batch, options.Bptt, options.TrainPath);
        if (options.ValidPath is { } validPath)
            valid = new TokenBatches(TokenBatches.Tokenize(validPath, vectors.Vocabulary), 10, options.Bptt, validPath);
        targets = !config.IsRegression ? null
            : options.Resume ? checkpoint.LoadTargets(config, vectors)
            : TargetVectors.Create(vectors, PostProcessing.Parse(config.Targets).Fit(vectors));
        var decoding = targets is null ? null : DecodingState.FromTokens(trainIds, config.VocabSize);
        loss = OutputLoss.Create(config.Loss, targets, config.Margin, config.VmfLambda, decoding?.Counts, config.Negatives);
        model = new RnnModel(config, vectors.Data);
        parameters = model.parameters().Where(p => p.requires_grad).ToList();
        optimizer = CreateOptimizer(parameters, options.LearningRate);
        evaluator = new Evaluator(model, loss, config, targets, decoding);
        Directory.CreateDirectory(checkpoint.Dir);
        if (options.Resume)
        {
            state = checkpoint.LoadLast(model, optimizer);
            SetLearningRate(state.LearningRate);
        }
        else
        {
            state = new TrainerState { LearningRate = options.LearningRate };
            checkpoint.SaveConfig(config);
            if (targets is not null)
            {
                checkpoint.SaveTargets(targets.Processor);
                checkpoint.SaveTargetIndex(targets, options.Threads ?? 1);
                decoding!.Save(checkpoint.DecodingPath);
            }
        }
        metrics = new MetricsLog(checkpoint.MetricsPath, keepExisting: options.Resume);
    }

    public ModelConfig Config => config;
    public RnnModel Model => model;
    public TrainerState State => state;
    internal TokenBatches TrainBatches => train;

    /// <summary>The model's mean loss, top-1 and perplexity on <paramref name="batches"/> (eval mode).</summary>
    public Evaluation Evaluate(TokenBatches batches) => evaluator.Evaluate(batches);

    /// <summary>Trains until the epochs, the time limit or the step limit are used up, or <paramref name="cancel"/> fires.</summary>
    public TrainResult Train(CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        var trainClock = new Stopwatch();
        long tokensThisRun = 0, stepsAtStart = state.Step;
        double elapsedBefore = state.ElapsedSeconds, stepBefore = state.StepSeconds;
        var reason = StopReason.Epochs;
        string message = "";
        while (state.Epoch <= options.Epochs)
        {
            long stepsBefore = state.Step;
            reason = RunEpoch(cancel, clock, trainClock, ref tokensThisRun, out message);
            state = state with
            {
                ElapsedSeconds = elapsedBefore + clock.Elapsed.TotalSeconds,
                StepSeconds = stepBefore + trainClock.Elapsed.TotalSeconds,
            };
            if (reason is StopReason.NaNLoss) break;
            // A limit reached before the epoch's first step: nothing new to validate or save.
            if (reason is StopReason.TimeLimit or StopReason.MaxSteps && state.Step == stepsBefore && state.Step > 0) break;
            if (reason is StopReason.Interrupted)
            {
                checkpoint.SaveLast(model, optimizer, state);
                message = $"interrupted: checkpoint saved at step {state.Step}; continue with --resume";
                break;
            }
            EndEpoch(clock);
            if (reason is not StopReason.Epochs) break;
        }
        double seconds = trainClock.Elapsed.TotalSeconds;
        if (message.Length == 0) message = reason switch
        {
            StopReason.TimeLimit => $"time limit reached after {state.Step} steps",
            StopReason.MaxSteps => $"step limit reached ({state.Step} steps)",
            _ => $"trained {options.Epochs} epochs ({state.Step} steps)",
        };
        return new TrainResult(reason, state.Step - stepsAtStart, tokensThisRun, trainClock.Elapsed,
            seconds > 0 ? tokensThisRun / seconds : 0, metrics.Rows, checkpoint.Dir, message);
    }

    private StopReason RunEpoch(CancellationToken cancel, Stopwatch clock, Stopwatch trainClock, ref long tokens,
        out string message)
    {
        message = "";
        model.train();
        var hidden = model.InitHidden(train.Batch);
        var lastReport = TimeSpan.Zero;
        try
        {
            for (int chunk = state.NextChunk; chunk < train.Chunks; chunk++)
            {
                if (cancel.IsCancellationRequested) return StopReason.Interrupted;
                if (options.TimeLimit is { } limit && clock.Elapsed >= limit) return StopReason.TimeLimit;
                if (options.MaxSteps is { } max && state.Step >= max) return StopReason.MaxSteps;
                trainClock.Start();
                double value = Step(chunk, ref hidden, out long n);
                trainClock.Stop();
                if (!double.IsFinite(value))
                {
                    message = $"the training loss became {value} at step {state.Step + 1} (epoch {state.Epoch}); " +
                              $"kept the last good checkpoint in {checkpoint.Dir}; try a lower --lr or --clip";
                    return StopReason.NaNLoss;
                }
                tokens += n;
                state = state with
                {
                    NextChunk = chunk + 1, Step = state.Step + 1, TokensTrained = state.TokensTrained + n,
                    EpochLossSum = state.EpochLossSum + value, EpochLossCount = state.EpochLossCount + 1,
                };
                if (clock.Elapsed - lastReport > TimeSpan.FromMilliseconds(250) || chunk + 1 == train.Chunks)
                {
                    lastReport = clock.Elapsed;
                    Report(value, tokens / Math.Max(trainClock.Elapsed.TotalSeconds, 1e-9), clock.Elapsed, "train");
                }
            }
            return options.MaxSteps is { } m && state.Step >= m ? StopReason.MaxSteps : StopReason.Epochs;
        }
        finally
        {
            hidden.H.Dispose();
            hidden.C.Dispose();
        }
    }

    /// <summary>One optimizer step on chunk <paramref name="chunk"/>; returns its loss (not applied if not finite).</summary>
    private double Step(int chunk, ref (Tensor H, Tensor C) hidden, out long tokens)
    {
        using var scope = NewDisposeScope();
        var (input, target) = train.Chunk(chunk);                               // [T, B] each
        optimizer.zero_grad();
        var (features, next) = model.Features(input, hidden);                   // [T, B, H]
        var ids = target.reshape(-1);                                           // [T·B]
        var output = model.Output(features.reshape(-1, config.Hidden), loss.Layout);
        double value = loss.Backward(output, ids);
        tokens = ids.shape[0];
        if (!double.IsFinite(value)) return value;
        if (options.Clip > 0) nn.utils.clip_grad_norm_(parameters, options.Clip);
        optimizer.step();
        hidden.H.Dispose();
        hidden.C.Dispose();
        hidden = (next.H.detach().MoveToOuterDisposeScope(), next.C.detach().MoveToOuterDisposeScope());
        return value;
    }

    /// <summary>Validation, metrics.csv, the best model, the plateau rule for the learning rate, the resume point.</summary>
    private void EndEpoch(Stopwatch clock)
    {
        double trainLoss = state.EpochLossCount > 0 ? state.EpochLossSum / state.EpochLossCount : double.NaN;
        var eval = valid is null ? new Evaluation(double.NaN, double.NaN, double.NaN, 0)
            : evaluator.Evaluate(valid, f => Report(trainLoss, 0, clock.Elapsed, $"validating {f:P0}"));
        double lr = state.LearningRate;
        metrics.Add(new EpochMetrics(state.Epoch, state.ElapsedSeconds, trainLoss, eval.Loss, eval.Top1, eval.Perplexity, lr,
            eval.Top1Prior, eval.Beta, eval.Top1Posterior, eval.PosteriorBeta));
        double best = state.BestValidLoss;
        if (valid is null || eval.Loss < best)
        {
            checkpoint.SaveBest(model);
            best = valid is null ? best : eval.Loss;
            FitDecoding(clock);
        }
        else
        {
            lr *= options.LearningRateDecay;
            SetLearningRate(lr);
        }
        bool epochDone = state.NextChunk >= train.Chunks;
        state = state with
        {
            Epoch = epochDone ? state.Epoch + 1 : state.Epoch, NextChunk = epochDone ? 0 : state.NextChunk,
            LearningRate = lr, BestValidLoss = best, EpochLossSum = 0, EpochLossCount = 0,
        };
        checkpoint.SaveLast(model, optimizer, state);
    }

    /// <summary>
    /// The best model's decoding: the rules the evaluator fitted on its validation predictions, and CSLS hubness
    /// measured on the same predictions, saved to decoding.json beside the weights.
    /// </summary>
    private void FitDecoding(Stopwatch clock)
    {
        if (valid is null || evaluator.LastFit is not { } fit || targets is null) return;
        Report(0, 0, clock.Elapsed, "fitting the decoding");
        fit.WithHubness(targets.Index, evaluator.LastOutputs.Outputs, get_num_threads()).Save(checkpoint.DecodingPath);
    }

    private void Report(double loss, double tokensPerSecond, TimeSpan elapsed, string phase)
    {
        double epochs = options.Epochs;
        double fraction = (state.Epoch - 1 + (double)state.NextChunk / train.Chunks) / epochs;
        if (options.TimeLimit is { } limit) fraction = Math.Max(fraction, elapsed / limit);
        if (options.MaxSteps is { } max) fraction = Math.Max(fraction, (double)state.Step / max);
        fraction = Math.Clamp(fraction, 0, 1);
        TimeSpan? remaining = fraction > 0 ? elapsed * ((1 - fraction) / fraction) : null;
        progress(new TrainProgress(state.Epoch, options.Epochs, state.Step, fraction, loss, tokensPerSecond, elapsed,
            remaining, phase));
    }

    private ModelConfig ConfigFor(WordVectors vectors)
    {
        if (!options.Resume)
            return ModelConfig.For(vectors, options.VectorsPath, options.Loss, options.Hidden, options.Layers,
                options.Dropout, options.TrainInputEmbeddings, options.TargetsInEffect) with
            {
                Margin = options.Margin, VmfLambda = options.VmfLambda, Negatives = options.Negatives,
            };
        var saved = checkpoint.LoadConfig();
        saved.CheckMatches(vectors, options.VectorsPath);
        // Without --targets a resumed model keeps the targets it was trained with, whatever the default is now.
        string targets = saved.IsRegression && options.Targets is { } given ? PostProcessing.Parse(given).ToString() : saved.Targets;
        if (saved.Loss != options.Loss || saved.Hidden != options.Hidden || saved.Layers != options.Layers
            || saved.Targets != targets)
            throw new BadInputException(
                $"--resume: the model in {checkpoint.Dir} is {saved.Loss} hidden {saved.Hidden} layers {saved.Layers} " +
                $"targets {saved.Targets}, not {options.Loss} hidden {options.Hidden} layers {options.Layers} targets {targets}");
        return saved;
    }

    /// <summary>
    /// Adam with PyTorch's defaults, β = (0.9, 0.999), ε = 1e-8. TorchSharp's <c>torch.optim.Adam(…)</c> factory
    /// defaults to β₂ = 0.99 (its documentation says 0.999), which made the softmax baseline markedly worse than the
    /// same model in PyTorch; the constructor is called with every value spelled out.
    /// </summary>
    internal static TorchSharp.Modules.Adam CreateOptimizer(IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr) =>
        new(parameters, lr, beta1: 0.9, beta2: 0.999, eps: 1e-8);

    private void SetLearningRate(double lr)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
    }

    public void Dispose()
    {
        optimizer.Dispose();
        model.Dispose();
        targets?.Dispose();
        (loss as IDisposable)?.Dispose();
        train.Dispose();
        valid?.Dispose();
    }
}
