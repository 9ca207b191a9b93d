using VecLm.Decoder;
using static TorchSharp.torch;

namespace VecLm.Regressor;

/// <summary>
/// Validation numbers: the mean loss per token (all positions), top-1 accuracy on the first
/// <see cref="DecodingState.FitTokens"/> predictions (regression heads: plain cosine decoding), perplexity (softmax),
/// and for a regression head with word counts the top-1 of the prior rule with β fitted on those same predictions.
/// </summary>
public readonly record struct Evaluation(double Loss, double Top1, double Perplexity, long Tokens,
                                         double Top1Prior = double.NaN, double Beta = double.NaN,
                                         double Top1Posterior = double.NaN, double PosteriorBeta = double.NaN);

/// <summary>
/// Runs the model over held-out batches with the hidden state carried across chunks (eval mode, no gradient),
/// as word_language_model's <c>evaluate</c>. Top-1 is measured on the first predictions only (the decoding of every
/// validation position would cost more than the epoch of a regression head): the softmax head's argmax; a
/// regression head's output decoded by exact search over the target vectors, by plain cosine and by cosine plus
/// β·ln p(w) with the β that does best (<see cref="PriorFit"/>), and by the posterior rule likewise. The last evaluation's decoded predictions are kept
/// (<see cref="LastOutputs"/>) so the trainer can fit the decoding of the best model without another pass.
/// </summary>
public sealed class Evaluator(RnnModel model, OutputLoss loss, ModelConfig config, ExactIndex? targets, long[]? counts,
                              int decodeTokens = DecodingState.FitTokens)
{
    /// <summary>The decoded predictions of the last evaluation (row-major outputs) and their true next ids.</summary>
    public (float[] Outputs, int[] Truth) LastOutputs { get; private set; } = ([], []);

    public Evaluation Evaluate(TokenBatches batches, Action<double>? progress = null)
    {
        model.eval();
        using var _ = no_grad();
        var hidden = model.InitHidden(batches.Batch);
        double lossSum = 0;
        long tokens = 0, correct = 0;
        var outputs = new List<float>();
        var truth = new List<int>();
        try
        {
            for (int chunk = 0; chunk < batches.Chunks; chunk++)
            {
                using var scope = NewDisposeScope();
                var (input, target) = batches.Chunk(chunk);
                var (features, next) = model.Features(input, hidden);
                var flat = features.reshape(-1, config.Hidden);                 // [T·B, H]
                var ids = target.reshape(-1);                                   // [T·B]
                long n = ids.shape[0];
                int keep = (int)Math.Min(n, decodeTokens - truth.Count);
                var kept = keep > 0 ? ids.narrow(0, 0, keep).data<long>().ToArray().Select(i => (int)i).ToArray() : [];
                if (config.IsRegression)
                {
                    var output = model.Head(flat);                              // [T·B, m]
                    lossSum += loss.Value(output, ids) * n;
                    if (keep > 0) outputs.AddRange(output.narrow(0, 0, keep).contiguous().data<float>().ToArray());
                }
                else
                {
                    // Vocabulary-major logits, as in training: the faster product, the fused loss on that layout.
                    var logitsT = model.HeadTransposed(flat);                   // [V, T·B]
                    lossSum += FusedCrossEntropy.Loss(logitsT, ids) * n;
                    if (keep > 0) correct += CountArgmax(logitsT.narrow(1, 0, keep), kept);
                }
                tokens += n;
                truth.AddRange(kept);
                hidden.H.Dispose();
                hidden.C.Dispose();
                hidden = (next.H.MoveToOuterDisposeScope(), next.C.MoveToOuterDisposeScope());
                progress?.Invoke((chunk + 1.0) / batches.Chunks);
            }
        }
        finally
        {
            hidden.H.Dispose();
            hidden.C.Dispose();
        }
        double mean = lossSum / tokens;
        LastOutputs = (outputs.ToArray(), truth.ToArray());
        if (!config.IsRegression)
            return new Evaluation(mean, Ratio(correct, truth.Count), Math.Exp(mean), tokens);
        if (targets is null || truth.Count == 0) return new Evaluation(mean, double.NaN, double.NaN, tokens);
        return config.IsRegression && counts is not null ? WithPrior(mean, tokens) : WithCosine(mean, tokens);
    }

    private Evaluation WithPrior(double loss, long tokens)
    {
        var fit = PriorFit.Fit(targets!, LastOutputs.Outputs, LastOutputs.Truth, counts, threads: get_num_threads());
        var posterior = PriorFit.Fit(targets!, LastOutputs.Outputs, LastOutputs.Truth, counts, threads: get_num_threads(), byLength: true);
        // The sampled loss's validation value is the exact NLL over the vocabulary: a perplexity.
        double perplexity = config.Loss == LossKind.Sampled ? Math.Exp(loss) : double.NaN;
        return new Evaluation(loss, fit.Curve[0].Top1, perplexity, tokens, fit.Top1, fit.Beta, posterior.Top1, posterior.Beta);
    }

    private Evaluation WithCosine(double loss, long tokens)
    {
        var hits = targets!.SearchBatch(LastOutputs.Outputs, 1, get_num_threads());
        long correct = LastOutputs.Truth.Where((t, i) => hits[i][0].Id == t).LongCount();
        return new Evaluation(loss, Ratio(correct, LastOutputs.Truth.Length), double.NaN, tokens);
    }

    /// <summary>Right guesses of the argmax of vocabulary-major logits ([V, N]) against <paramref name="truth"/>.</summary>
    private static long CountArgmax(Tensor logitsT, int[] truth)
    {
        var best = logitsT.argmax(0).data<long>().ToArray();
        return truth.Where((t, i) => best[i] == t).LongCount();
    }

    private static double Ratio(long a, long b) => b == 0 ? double.NaN : (double)a / b;
}
