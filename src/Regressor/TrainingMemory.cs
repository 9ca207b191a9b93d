using VecLm.Embeddings;

namespace VecLm.Regressor;

/// <summary>
/// What a training run will hold in memory, estimated before any of it is allocated, so a vocabulary too large for
/// the machine is one clear error up front instead of an allocation failing minutes in (or the kernel killing the
/// process). The terms that grow with |V|:
/// <list type="bullet">
/// <item>the input table, |V| × m floats (with <c>--train-input-embeddings</c> also its gradient and Adam's two
/// moments);</item>
/// <item>a regression head's targets, |V| × m, held raw and post-processed;</item>
/// <item>a softmax head's Linear(H → |V|): weights, gradient and Adam's two moments (4 × |V| × H floats); one
/// step-sized table of batch × bptt × |V| floats, the logits that become their own gradient
/// (<see cref="FusedSoftmaxHead"/>: 4.5 GB at 1M words and 32 × 35 tokens); and 10 × bptt × |V| more (1.4 GB), once
/// validation's logits table and kept as the margin since validation takes them a chunk at a time: a 6-step run with
/// validation at 1M words peaked at 9.5 GB (2026-12-04), above the 9.3 GB the other terms give.</item>
/// </list>
/// The LSTM and the runtime are a fixed allowance. At 1M words a softmax run estimated at 10.7 GB peaked at 9.4 GB
/// (4 steps, no validation; 2026-12-03); before the head was applied by hand, three step-sized tables were needed
/// (the logits, their gradient, LibTorch's temporary: 14.4 GB peak). The regression heads: 414 MB estimated for
/// 398 MB measured at 17,715 words.
/// </summary>
public static class TrainingMemory
{
    /// <summary>The runtime, LibTorch and the LSTM's own weights and activations: what a 17.7k-word run peaks at besides the tables.</summary>
    public const long Fixed = 400L << 20;

    public static long Estimate(LossKind loss, long vocabulary, int dim, int hidden, int batch, int bptt, bool trainInput)
    {
        const long Float = sizeof(float);
        long input = vocabulary * dim * Float * (trainInput ? 4 : 1);
        long head = loss == LossKind.Softmax
            ? 4 * vocabulary * hidden * Float + (long)(batch + 10) * bptt * vocabulary * Float
            : 2 * vocabulary * dim * Float;
        return Fixed + input + head;
    }

    /// <summary>
    /// Refuses a run whose <see cref="Estimate"/> exceeds <paramref name="available"/> bytes (default: what the
    /// machine has available now, <see cref="SystemMemory.Available"/>), saying what needs the memory and what to change.
    /// </summary>
    public static void Check(TrainOptions options, long vocabulary, int dim, long? available = null)
    {
        long need = Estimate(options.Loss, vocabulary, dim, options.Hidden, options.Batch, options.Bptt, options.TrainInputEmbeddings);
        long have = available ?? SystemMemory.Available();
        if (need <= have) return;
        string what = options.Loss == LossKind.Softmax
            ? $"a softmax head over {vocabulary:N0} words (its weights, Adam's state, and a step's logits for {options.Batch} × {options.Bptt} tokens)"
            : $"{vocabulary:N0} words of {dim} dimensions (the input table and the targets)";
        string fix = options.Loss == LossKind.Softmax
            ? "use a regression head (--loss sampled or cosine), a smaller --batch or --bptt, or fewer words"
            : "use fewer words (a higher --min-count when embedding)";
        throw new BadInputException($"training needs about {SystemMemory.Gb(need)} for {what}, and {SystemMemory.Gb(have)} is available: {fix}");
    }

}
