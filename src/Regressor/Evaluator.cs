using VecLm.Decoder;
using static TorchSharp.torch;

namespace VecLm.Regressor;

/// <summary>Validation numbers: the mean loss per token, top-1 accuracy and (softmax head) perplexity.</summary>
public readonly record struct Evaluation(double Loss, double Top1, double Perplexity, long Tokens);

/// <summary>
/// Runs the model over held-out batches with the hidden state carried across chunks (eval mode, no gradient),
/// as word_language_model's <c>evaluate</c>. Top-1: for the regression heads, the predicted vector decoded to
/// its nearest word through an <see cref="IVectorIndex"/> over the target vectors; for softmax, the argmax.
/// </summary>
public sealed class Evaluator(RnnModel model, OutputLoss loss, ModelConfig config, IVectorIndex? index)
{
    public Evaluation Evaluate(TokenBatches batches, Action<double>? progress = null)
    {
        model.eval();
        using var _ = no_grad();
        var hidden = model.InitHidden(batches.Batch);
        double lossSum = 0;
        long tokens = 0, correct = 0;
        try
        {
            for (int chunk = 0; chunk < batches.Chunks; chunk++)
            {
                using var scope = NewDisposeScope();
                var (input, target) = batches.Chunk(chunk);
                var (output, next) = model.forward(input, hidden);
                var flat = output.reshape(-1, config.OutputSize);               // [T·B, out]
                var ids = target.reshape(-1);                                   // [T·B]
                long n = ids.shape[0];
                lossSum += loss.Forward(flat, ids).item<float>() * n;
                correct += CountCorrect(flat, ids);
                tokens += n;
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
        return new Evaluation(mean, (double)correct / tokens, config.IsRegression ? double.NaN : Math.Exp(mean), tokens);
    }

    private long CountCorrect(Tensor output, Tensor ids)
    {
        var truth = ids.data<long>().ToArray();
        if (!config.IsRegression)
        {
            var best = output.argmax(1).data<long>().ToArray();
            return truth.Where((t, i) => best[i] == t).LongCount();
        }
        if (index is null) return 0;
        var hits = index.SearchBatch(output.contiguous().data<float>().ToArray(), 1);
        return truth.Where((t, i) => hits[i][0].Id == t).LongCount();
    }
}
