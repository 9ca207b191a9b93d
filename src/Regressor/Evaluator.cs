using static TorchSharp.torch;

namespace VecLm.Regressor;

/// <summary>
/// Validation numbers: the mean loss per token (all positions, or for a loss over the whole vocabulary at large |V| the
/// first <see cref="Evaluator.LossTokensFor"/>), top-1 accuracy on the first
/// <see cref="DecodingState.FitTokens"/> predictions (regression heads: plain cosine decoding), perplexity (softmax and
/// the sampled loss), and for a regression head the top-1 of the prior and of the posterior rule with their β fitted
/// on those same predictions.
/// </summary>
public readonly record struct Evaluation(double Loss, double Top1, double Perplexity, long Tokens,
                                         double Top1Prior = double.NaN, double Beta = double.NaN,
                                         double Top1Posterior = double.NaN, double PosteriorBeta = double.NaN);

/// <summary>
/// Runs the model over held-out batches with the hidden state carried across chunks (eval mode, no gradient), as
/// word_language_model's <c>evaluate</c>: the model computes the head's output in the layout the loss reads and the
/// loss gives its value, the same two calls as a training step. Top-1 is measured on the first predictions only (the
/// decoding of every validation position would cost more than the epoch of a regression head): the softmax head's
/// argmax; a regression head's outputs decoded by exact search over the target vectors under the cosine, prior and
/// posterior rules, β fitted once (<see cref="DecodingState.FitRules"/>). That fit and the outputs it was made on are
/// kept (<see cref="LastFit"/>, <see cref="LastOutputs"/>), so the trainer finishes the best model's decoding without
/// another pass or a second fit.
/// </summary>
public sealed class Evaluator(RnnModel model, OutputLoss loss, ModelConfig config, TargetVectors? targets,
                              DecodingState? decoding, int decodeTokens = DecodingState.FitTokens, int lossTokens = int.MaxValue,
                              int keepTokens = 0)
{
    /// <summary>
    /// Positions × |V| that a validation's exact NLL (softmax, and the sampled loss's perplexity) may cost: all of
    /// Brown's 211k validation tokens at its 17,715 words; at a million words 4,000 positions (the first chunks, the
    /// same ones at every validation), seconds instead of the many minutes a softmax over every row at every position
    /// takes. The regression losses cost nothing per word and always see every position.
    /// </summary>
    public const long LossPairs = 4_000_000_000;

    /// <summary>The validation positions whose loss is measured for a model of <paramref name="config"/>.</summary>
    public static int LossTokensFor(ModelConfig config) => config.Loss is LossKind.Softmax or LossKind.Sampled
        ? (int)Math.Clamp(LossPairs / Math.Max(1, config.VocabSize), DecodingState.MinFitTokens, int.MaxValue)
        : int.MaxValue;

    /// <summary>The decoded predictions of the last evaluation (row-major outputs) and their true next ids.</summary>
    public (float[] Outputs, int[] Truth) LastOutputs { get; private set; } = ([], []);

    /// <summary>
    /// A regression head's first max(decodeTokens, keepTokens) predictions of the last evaluation (row-major): those of
    /// <see cref="LastOutputs"/> and after them more, read for the shortlist (<see cref="DecodingState.WithShortlist"/>).
    /// </summary>
    public float[] KeptOutputs { get; private set; } = [];

    /// <summary>The decoding rules fitted on <see cref="LastOutputs"/> (a regression head; null before any).</summary>
    public DecodingState? LastFit { get; private set; }

    public Evaluation Evaluate(TokenBatches batches, Action<double>? progress = null)
    {
        model.eval();
        using var _ = no_grad();
        var hidden = model.InitHidden(batches.Batch);
        double lossSum = 0;
        long tokens = 0, correct = 0;
        // A regression head keeps its outputs (the fits' and the shortlist's); the softmax head's logits are never kept.
        int keep = loss is SoftmaxLoss ? 0 : Math.Max(decodeTokens, keepTokens), kept = 0;
        var outputs = new List<float>();
        var truth = new List<int>();
        try
        {
            for (int chunk = 0; chunk < batches.Chunks; chunk++)
            {
                using var scope = NewDisposeScope();
                var (input, target) = batches.Chunk(chunk);
                var (features, next) = model.Features(input, hidden);
                var ids = target.reshape(-1);                                   // [T·B]
                var flat = features.reshape(-1, config.Hidden);
                long n = ids.shape[0];
                int decode = (int)Math.Min(n, decodeTokens - truth.Count);
                int[] Truth(int count) => ids.narrow(0, 0, count).data<long>().ToArray().Select(i => (int)i).ToArray();
                if (loss is SoftmaxLoss softmax)
                {
                    // The head applied a chunk of vocabulary rows at a time, with the argmax of the decoded positions: no
                    // [V, N] logits table (1.4 GB a batch of 350 positions at a million words).
                    bool measure = tokens < lossTokens;
                    if (measure || decode > 0)
                    {
                        var best = decode > 0 ? new int[decode] : null;
                        double value = softmax.Value(model, flat, ids, best);
                        if (measure)
                        {
                            lossSum += value * n;
                            tokens += n;
                        }
                        if (best is not null)
                        {
                            var ids1 = Truth(decode);
                            correct += best.Where((b, i) => b == ids1[i]).LongCount();
                            truth.AddRange(ids1);
                        }
                    }
                }
                else
                {
                    var output = model.Output(flat, loss.Layout);
                    // Past lossTokens a chunk is read only for the predictions kept (an exact NLL costs |V| per position).
                    if (tokens < lossTokens)
                    {
                        lossSum += loss.Value(output, ids) * n;
                        tokens += n;
                    }
                    if (decode > 0) truth.AddRange(Truth(decode));
                    int more = (int)Math.Min(n, keep - kept);
                    if (more > 0)
                    {
                        outputs.AddRange(output.narrow(0, 0, more).contiguous().data<float>().ToArray());
                        kept += more;
                    }
                }
                hidden.H.Dispose();
                hidden.C.Dispose();
                hidden = (next.H.MoveToOuterDisposeScope(), next.C.MoveToOuterDisposeScope());
                progress?.Invoke((chunk + 1.0) / batches.Chunks);
                if (tokens >= lossTokens && truth.Count >= decodeTokens && kept >= keep) break;
            }
        }
        finally
        {
            hidden.H.Dispose();
            hidden.C.Dispose();
        }
        double mean = lossSum / tokens;
        // Softmax and the sampled loss give the exact NLL over the vocabulary: a perplexity.
        double perplexity = config.Loss is LossKind.Softmax or LossKind.Sampled ? Math.Exp(mean) : double.NaN;
        KeptOutputs = outputs.ToArray();
        LastOutputs = (KeptOutputs[..Math.Min(KeptOutputs.Length, truth.Count * config.OutputSize)], truth.ToArray());
        if (!config.IsRegression) return new Evaluation(mean, Ratio(correct, truth.Count), perplexity, tokens);
        if (targets is null || decoding is null || truth.Count == 0) return new Evaluation(mean, double.NaN, perplexity, tokens);
        var fit = decoding.FitRules(targets.Index, LastOutputs.Outputs, LastOutputs.Truth, get_num_threads());
        LastFit = fit;
        return new Evaluation(mean, fit.CosineTop1!.Value, perplexity, tokens, fit.PriorTop1!.Value, fit.Beta!.Value,
                              fit.PosteriorTop1!.Value, fit.PosteriorBeta!.Value);
    }

    private static double Ratio(long a, long b) => b == 0 ? double.NaN : (double)a / b;
}
