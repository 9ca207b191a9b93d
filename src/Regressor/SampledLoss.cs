using VecLm.Embeddings;
using VecLm.Decoder;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace VecLm.Regressor;

/// <summary>
/// A discriminative regression loss: the head's vector ŷ (any length) defines a distribution over the words through
/// their frozen target rows and the training unigram prior,
/// <code>
///   p(w | context) = p(w)·exp(ŷ·e(w)) / Z,      Z = Σ_j p(j)·exp(ŷ·e(j))
/// </code>
/// which is Bayes' rule for a von Mises–Fisher likelihood with mean direction ŷ/‖ŷ‖ and concentration κ = ‖ŷ‖
/// (the vMF normaliser C_m(κ) is the same for every word, so it cancels). The loss is its negative log-likelihood of
/// the true word, and decoding is its argmax, <c>ŷ·e(w) + β·ln p(w)</c> (<see cref="RuleKind.Posterior"/>, β fitted
/// on validation text, 1 in theory): the training objective and the decoding rule are the same ranking.
/// <para>
/// Training never forms Z over the vocabulary: it is estimated by sampled softmax (Jean et al. 2015) from
/// <see cref="Negatives"/> words drawn, shared by the batch, from the proposal q(w) ∝ count(w)^<see cref="Power"/>,
/// each candidate's logit corrected by ln p(w) − ln q(w) (zero for power 1), and a negative that is the position's
/// own target removed. The cost is N × S × m multiply-adds, not N × |V| × m: the output layer stays m wide.
/// <see cref="Forward"/> (validation) computes the exact NLL over every word, so the validation loss is a true
/// cross-entropy and exp of it a perplexity comparable to the softmax baseline's.
/// </para>
/// <para>
/// With <see cref="OpenTargets"/> training draws its targets and negatives from the open rows: a rare word of the
/// training text is its own target (p and q from its count), and a decode-only word the text never had is never a
/// negative (q = 0): the model is not taught to point away from the words it should find by their subwords.
/// Validation stays on the training vocabulary.
/// </para>
/// </summary>
public sealed class SampledLoss : OutputLoss, IDisposable
{
    public const int DefaultNegatives = 1024;
    public const double DefaultPower = 0.75;

    private readonly TargetVectors vectors;
    private readonly Tensor logPrior;      // [V] ln p(w), add-one smoothed as the decoding prior
    private readonly Tensor proposal;      // [V] q(w) ∝ count^power (unnormalised: multinomial normalises)
    private readonly Tensor correction;    // [V] ln p(w) − ln q(w)
    private readonly TargetVectors trainVectors;              // the rows training samples from: vectors or the open rows
    private readonly Tensor trainProposal, trainCorrection;   // over trainVectors' rows (the proposal: over trainRows)
    private readonly Tensor? trainRows;                       // the rows that can be drawn (open: those with q > 0)
    private Tensor? valueBuffer;                              // one chunk of validation logits, kept between calls

    /// <param name="open">Targets over the training vocabulary and a decode vocabulary (training only).</param>
    public SampledLoss(TargetVectors vectors, long[] counts, int negatives = DefaultNegatives, double power = DefaultPower,
                       OpenTargets? open = null)
    {
        if (counts.Length != vectors.Count)
            throw new ArgumentException($"{counts.Length} word counts for {vectors.Count} target vectors");
        if (negatives < 1) throw new BadInputException($"--negatives must be at least 1 (got {negatives})");
        if (!(power is >= 0 and <= 1)) throw new ArgumentException($"the proposal power must be in [0, 1] (got {power})");
        this.vectors = vectors;
        Negatives = negatives;
        Power = power;
        var logP = DecodingRule.LogProbabilities(counts);
        var logQ = LogProposal(counts, power);
        logPrior = tensor(logP.Select(x => (float)x).ToArray());
        proposal = tensor(logQ.Select(x => (float)Math.Exp(x)).ToArray());
        correction = tensor(logP.Zip(logQ, (p, q) => (float)(p - q)).ToArray());
        if (open is null)
        {
            (trainVectors, trainProposal, trainCorrection) = (vectors, proposal, correction);
            return;
        }
        trainVectors = open.All;
        var openLogP = DecodingRule.LogProbabilities(open.Counts);
        var openLogQ = LogProposal(open.Counts, power);
        bool Sampled(int w) => w < open.TrainingWords || open.Counts[w] > 0;
        // Drawn from the rows with q > 0 only: a multinomial over hundreds of thousands of zeros costs a pass a step.
        var drawable = Enumerable.Range(0, open.Counts.Length).Where(Sampled).ToArray();
        trainRows = tensor(drawable.Select(w => (long)w).ToArray());
        trainProposal = tensor(drawable.Select(w => (float)Math.Exp(openLogQ[w])).ToArray());
        trainCorrection = tensor(Enumerable.Range(0, open.Counts.Length)
            .Select(w => Sampled(w) ? (float)(openLogP[w] - openLogQ[w]) : 0f).ToArray());
    }

    /// <summary>Words sampled per batch (shared by its positions).</summary>
    public int Negatives { get; }
    /// <summary>The proposal's exponent: 1 samples by frequency, 0 uniformly.</summary>
    public double Power { get; }

    /// <summary>The exact NLL over the whole vocabulary: cross-entropy of ŷ·E ᵀ + ln p. [N, m], [N] → scalar.</summary>
    public override Tensor Forward(Tensor output, Tensor targets)
    {
        using var logits = Logits(output);                                            // [N, V]
        return F.cross_entropy(logits, targets);
    }

    /// <summary>
    /// The exact NLL's value without a graph (validation): the logits ln p + E·ŷᵀ laid out vocabulary-major, a chunk of
    /// about <see cref="ValueChunkBytes"/> at a time in one buffer kept between calls, each chunk's exponentials and
    /// sums taken while it is in cache (<see cref="ChunkedSoftmax.Forward"/>). The whole [V, N] table at once (4.5 GB
    /// for a batch at a million words, fresh pages every batch) took about 50 s of a 95 s training run there.
    /// </summary>
    public override double Value(Tensor output, Tensor targets) =>
        ChunkedSoftmax.Value(vectors.Matrix, logPrior, output, targets, ValueChunkBytes, get_num_threads(), ref valueBuffer);

    /// <summary>About how many bytes of logits <see cref="Value"/> holds at once (tests set it small to cross chunks).</summary>
    internal int ValueChunkBytes { get; init; } = 4 << 20;

    /// <summary>ln p(w | context) of each row's target under the model's distribution (no gradient). [N, m], [N] → [N].</summary>
    public float[] TargetLogProbabilities(Tensor output, Tensor targets)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var logp = F.log_softmax(Logits(output), 1).gather(1, targets.unsqueeze(1)).squeeze(1); // [N]
        return logp.data<float>().ToArray();
    }

    /// <summary>The sampled estimate, with its gradient sent back through <paramref name="output"/>.</summary>
    public override double Backward(Tensor output, Tensor targets)
    {
        using var loss = SampledForward(output, targets);
        double value = loss.item<float>();
        if (double.IsFinite(value)) loss.backward();
        return value;
    }

    /// <summary>
    /// Cross-entropy over {the true word} ∪ S sampled words, logits ŷ·e(w) + ln p(w) − ln q(w). [N, m], [N] → scalar.
    /// </summary>
    public Tensor SampledForward(Tensor output, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var drawn = multinomial(trainProposal, Negatives, replacement: true);        // [S]
        var sampled = trainRows is null ? drawn : trainRows.index_select(0, drawn);
        var positive = (output * trainVectors.Rows(targets)).sum(1, keepdim: true)
                       .Plus(trainCorrection.index_select(0, targets).unsqueeze(1));   // [N, 1]
        var negative = addmm(trainCorrection.index_select(0, sampled).unsqueeze(0),
                             output, trainVectors.Rows(sampled).t(), 1, 1);            // [N, S]
        var hit = targets.unsqueeze(1).eq(sampled.unsqueeze(0));                       // [N, S]
        negative = negative.masked_fill(hit, Scalars.NegativeInfinity);
        var logits = cat([positive, negative], 1);                                     // [N, 1 + S]
        var truth = zeros(targets.shape[0], dtype: ScalarType.Int64);
        return F.cross_entropy(logits, truth).MoveToOuterDisposeScope();
    }

    /// <summary>The unnormalised log-probability of every word: ŷ·E ᵀ + ln p. [N, m] → [N, V].</summary>
    private Tensor Logits(Tensor output) => addmm(logPrior.unsqueeze(0), output, vectors.Matrix.t(), 1, 1);

    /// <summary>ln q(w) for q ∝ (count(w) + 1)^power, normalised (the +1 matches the prior's smoothing).</summary>
    internal static double[] LogProposal(long[] counts, double power)
    {
        var log = counts.Select(c => power * Math.Log(c + 1.0)).ToArray();
        double max = log.Max(), sum = log.Sum(x => Math.Exp(x - max));
        double logZ = max + Math.Log(sum);
        return log.Select(x => x - logZ).ToArray();
    }

    public void Dispose()
    {
        valueBuffer?.Dispose();
        logPrior.Dispose();
        proposal.Dispose();
        correction.Dispose();
        if (!ReferenceEquals(trainProposal, proposal))
        {
            trainProposal.Dispose();
            trainCorrection.Dispose();
            trainRows?.Dispose();
        }
    }
}
