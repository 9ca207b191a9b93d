using System.CommandLine;
using VecLm.Regressor;

namespace VecLm.Cli;

/// <summary><c>veclm train</c>: the LSTM language model that regresses the next word's vector (or the softmax baseline).</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var train = new Argument<FileInfo>("train") { Description = "Pre-tokenised training text, one sentence per line (raw text with --tokenize, or vectors made with it)." };
        var vectors = new Option<FileInfo>("--vectors") { Description = "Word vectors (word2vec binary or text, a fastText .bin, GloVe text, a Spark Word2VecModel folder; detected): the input embeddings and the regression targets.", Required = true };
        var loss = new Option<LossKind>("--loss") { Description = "Head and loss: cosine, l2, maxmargin, vmf, sampled (regression) or softmax.", DefaultValueFactory = _ => LossKind.Cosine };
        var output = new Option<DirectoryInfo>("--output", "-o") { Description = "Model folder (weights, config.json, metrics.csv, checkpoint).", Required = true };
        var valid = new Option<FileInfo?>("--valid") { Description = "Validation text: loss, top-1 and perplexity every epoch; the best model is kept." };
        var hidden = new Option<int>("--hidden") { Description = "LSTM hidden size.", DefaultValueFactory = _ => 256 };
        var layers = new Option<int>("--layers") { Description = "LSTM layers.", DefaultValueFactory = _ => 2 };
        var dropout = new Option<double>("--dropout") { Description = "Dropout on the embeddings, between layers and before the head.", DefaultValueFactory = _ => 0.2 };
        var bptt = new Option<int>("--bptt") { Description = "Truncated back-propagation length.", DefaultValueFactory = _ => 35 };
        var batch = new Option<int>("--batch") { Description = "Parallel streams per batch.", DefaultValueFactory = _ => 32 };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training text.", DefaultValueFactory = _ => 10 };
        var timeLimit = new Option<TimeSpan?>("--time-limit") { Description = "Stop after this long (e.g. 90s, 30m, 2h).", CustomParser = r => ParseDuration(r, "--time-limit") };
        var checkpointEvery = new Option<TimeSpan?>("--checkpoint-every") { Description = "Write the checkpoint this often (also at every validation and at the end) [default: 10m].", CustomParser = r => ParseDuration(r, "--checkpoint-every") };
        var evalEvery = new Option<TimeSpan?>("--eval-every") { Description = "Validate this often within an epoch too (with --valid): a metrics.csv line, the best model kept [default: at epoch ends only].", CustomParser = r => ParseDuration(r, "--eval-every") };
        var maxSteps = new Option<long?>("--max-steps") { Description = "Stop after this many batches (benchmarks)." };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate (halved when the validation loss does not improve).", DefaultValueFactory = _ => 2e-3 };
        var clip = new Option<double>("--clip") { Description = "Gradient-norm clipping (0: off).", DefaultValueFactory = _ => 1.0 };
        var threads = new Option<int?>("--threads") { Description = "Torch threads [default: LibTorch's choice]." };
        var seed = new Option<long?>("--seed") { Description = "Random seed; with --threads 1 a run is reproducible." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint in the model folder (options not given keep their recorded values)." };
        var force = new Option<bool>("--force") { Description = "Train from scratch into a folder that holds a model, removing that model's files." };
        var trainInput = new Option<bool>("--train-input-embeddings") { Description = "Fine-tune the input embeddings (frozen by default)." };
        var margin = new Option<double>("--margin") { Description = "γ of the maxmargin loss.", DefaultValueFactory = _ => MaxMarginLoss.DefaultMargin };
        var vmfLambda = new Option<double>("--vmf-lambda") { Description = "λ₂ of the vmf loss (regularised NLLvMF), in (0, 1).", DefaultValueFactory = _ => VmfLoss.DefaultLambda };
        var negatives = new Option<int>("--negatives") { Description = "Words sampled per batch by the sampled loss.", DefaultValueFactory = _ => SampledLoss.DefaultNegatives };
        var targets = new Option<string>("--targets") { Description = "Regression targets: raw (unit vectors), center (mean removed), abtt[:D] (mean and top D principal directions removed). [default: center; raw for --loss sampled]" };
        var decodeVocab = new Option<FileInfo?>("--decode-vocab") { Description = "Words (one per line) the model decodes to after training, copied into the model folder: words the training text never had get vectors from the subword model (--vectors a fastText .bin). Training and its validation use the training vocabulary." };
        var tokenize = new TokenizeOptions("the training and validation text",
            "Vectors made with embed --tokenize need no flag: what they record applies. Recorded in the model's config.json.");
        var command = new Command("train", "Train the LSTM language model on word vectors: a regression head (cosine, l2, max-margin, vMF) or the softmax baseline.")
        {
            train, vectors, loss, output, valid, hidden, layers, dropout, bptt, batch, epochs, timeLimit, maxSteps, lr, clip,
            threads, seed, resume, force, trainInput, targets, margin, vmfLambda, negatives, checkpointEvery, evalEvery, decodeVocab,
        };
        tokenize.AddTo(command);
        command.SetAction(parse =>
        {
            var dir = parse.GetValue(output)!;
            if (dir.Parent is { Exists: false } parent) throw new UsageException($"output folder's parent does not exist: {parent.FullName}");
            var options = new TrainOptions
            {
                TrainPath = parse.GetValue(train)!.FullName, VectorsPath = parse.GetValue(vectors)!.FullName, OutputDir = dir.FullName,
                ValidPath = parse.GetValue(valid)?.FullName, DecodeVocab = parse.GetValue(decodeVocab)?.FullName, Loss = parse.GetValue(loss), Hidden = parse.GetValue(hidden),
                Layers = parse.GetValue(layers), Dropout = parse.GetValue(dropout), Bptt = parse.GetValue(bptt), Batch = parse.GetValue(batch),
                Epochs = parse.GetValue(epochs), TimeLimit = parse.GetValue(timeLimit), MaxSteps = parse.GetValue(maxSteps),
                LearningRate = parse.GetValue(lr), Clip = parse.GetValue(clip), Threads = parse.GetValue(threads), Seed = parse.GetValue(seed),
                Resume = parse.GetValue(resume), TrainInputEmbeddings = parse.GetValue(trainInput),
                Targets = parse.GetValue(targets), Margin = parse.GetValue(margin), VmfLambda = parse.GetValue(vmfLambda),
                Negatives = parse.GetValue(negatives), Force = parse.GetValue(force), Tokenizer = tokenize.Read(parse),
                CheckpointEvery = parse.GetValue(checkpointEvery) ?? TrainOptions.DefaultCheckpointEvery, EvalEvery = parse.GetValue(evalEvery),
                Given = command.Options.Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToHashSet(),
            };
            TokenizeOptions.Say(Trainer.TextTokenizer(options));
            using var cancel = Interrupt.Listen();
            string? openLine = null;
            var result = Terminal.WithProgress($"training {options.Loss}", report =>
            {
                using var trainer = new Trainer(options, p => report(p.Fraction,
                    $"epoch {p.Epoch}/{p.Epochs} {p.Phase} loss {p.Loss:0.0000} {p.TokensPerSecond:N0} tokens/s"));
                if (trainer.Open is { } open)
                    openLine = $"targets: {open.TrainingWords:N0} training words + {open.All.Count - open.TrainingWords:N0} of the decode vocabulary; " +
                               $"{open.RareTokens:N0} training tokens under --min-count are targets of their own, not <unk>";
                return trainer.Train(cancel.Token);
            });
            if (openLine is not null) Console.WriteLine(openLine);
            foreach (var e in result.Epochs)
                Console.WriteLine((e.AtEpochEnd ? $"epoch {e.Epoch}" : $"epoch {e.EpochsTrained:0.00} (step {e.Step})") +
                    $": train loss {e.TrainLoss:0.0000}" + (double.IsNaN(e.ValidLoss) ? "" :
                    $" valid loss {e.ValidLoss:0.0000} top-1 {e.Top1:P2}" +
                    (double.IsNaN(e.Perplexity) ? "" : $" ppl {e.Perplexity:0.0}") +
                    (double.IsNaN(e.Top1Prior) ? "" : $", prior β={e.Beta:0.000} top-1 {e.Top1Prior:P2}") +
                    (double.IsNaN(e.Top1Posterior) ? "" : $", posterior β={e.PosteriorBeta:0.000} top-1 {e.Top1Posterior:P2}")));
            Console.WriteLine($"trained {result.TokensTrained:N0} tokens in {result.TrainingTime.TotalSeconds:0.0} s ({result.TokensPerSecond:N0} tokens/s), " +
                              $"{result.Steps} steps: {result.Message} → {result.ModelDir}");
            if (result.Reason == StopReason.NaNLoss) { CliRunner.Error(result.Message); return CliRunner.Failure; }
            if (result.Reason != StopReason.Interrupted) return 0;
            Console.Error.WriteLine($"veclm: stopped by {cancel.SignalName}: {result.Message} (veclm train … -o {result.ModelDir} --resume)");
            return cancel.ExitCode;
        });
        return command;
    }

    internal static TimeSpan? ParseDuration(System.CommandLine.Parsing.ArgumentResult result, string option)
    {
        string text = result.Tokens[0].Value;
        var duration = Durations.TryParse(text);
        if (duration is null) result.AddError($"{option}: '{text}' is not a duration (e.g. 90s, 30m, 2h)");
        return duration;
    }
}
