using VecLm.Decoder;
using VecLm.Embeddings;
using static TorchSharp.torch;

namespace VecLm.Regressor;

/// <summary>
/// A trained model ready for use: loaded from its folder with the vectors it was trained with (checked by the
/// vocabulary hash), in eval mode. Predicts, after every position of a token sequence, the head's output and the
/// next words: a regression head's output decoded by its <see cref="Rule"/> (by default the prior rule with the β
/// fitted after training, else plain cosine) over the post-processed target vectors; softmax: the probabilities.
/// </summary>
public sealed class TrainedModel : IDisposable
{
    private readonly RnnModel model;
    private readonly Checkpoint checkpoint;
    private readonly TargetVectors? targets;
    private IVectorIndex? hnsw;
    private DecodingRule? rule;
    private RuleDecoder? ruleDecoder;

    private TrainedModel(ModelConfig config, RnnModel model, WordVectors vectors, Checkpoint checkpoint, TargetVectors? targets)
    {
        Config = config;
        this.model = model;
        this.checkpoint = checkpoint;
        Vectors = vectors;
        this.targets = targets;
        if (targets is null) return;
        Decoding = File.Exists(checkpoint.DecodingPath) ? DecodingState.Load(checkpoint.DecodingPath, config.VocabSize) : null;
    }

    public ModelConfig Config { get; }
    public WordVectors Vectors { get; }
    /// <summary>The post-processed target vectors a regression head is decoded against (null for softmax).</summary>
    public TargetVectors? Targets => targets;
    /// <summary>Exact search over the target vectors (null for softmax).</summary>
    public ExactIndex? ExactTargets => targets?.Index;
    /// <summary>The HNSW index over the target vectors: targets.hnsw from the model folder, or built on first use.</summary>
    public IVectorIndex HnswTargets => hnsw ??= checkpoint.LoadTargetIndex(
        targets ?? throw new InvalidOperationException("a softmax model has no target vectors"));
    /// <summary>Unigram counts, fitted β and CSLS hubness (decoding.json); null for softmax or an older folder.</summary>
    public DecodingState? Decoding { get; }
    /// <summary>The network itself, for <see cref="StreamRunner"/> and <see cref="Generation.ModelSession"/>.</summary>
    internal RnnModel Network => model;
    /// <summary>Parameters the training updated (the frozen input embeddings are not counted).</summary>
    public long TrainedParameters => model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    /// <summary>
    /// The rule <see cref="Rank"/> and <see cref="PredictNext"/> decode a regression head's outputs with: the model's
    /// default (<see cref="RuleFor"/>) until set.
    /// </summary>
    public DecodingRule Rule
    {
        get => rule ??= RuleFor();
        set
        {
            if (targets is null) throw new InvalidOperationException("a softmax model has no decoding rule");
            rule = value;
            ruleDecoder = null;
        }
    }

    /// <summary>
    /// The decoding rule of kind <paramref name="kind"/> for this model (default: <see cref="DecodingState.DefaultRule"/>,
    /// cosine without a decoding state), <paramref name="beta"/> overriding the fitted β.
    /// </summary>
    public DecodingRule RuleFor(RuleKind? kind = null, double? beta = null)
    {
        if (targets is null) throw new InvalidOperationException("a softmax model has no decoding rule");
        if (Decoding is not null) return Decoding.Rule(kind, beta);
        if ((kind ?? (beta is null ? RuleKind.Cosine : RuleKind.Prior)) == RuleKind.Cosine) return DecodingRule.Cosine();
        throw new InvalidDataException($"the model folder {checkpoint.Dir} has no decoding.json (train it with --valid)");
    }

    /// <summary>
    /// Loads a model folder with <paramref name="vectorsPath"/>, or, when that is null, the vectors its config.json
    /// names (relative to the folder, else where they were at training). The vectors are checked against the model's
    /// vocabulary and the checksum of their values.
    /// </summary>
    public static TrainedModel Load(string dir, string? vectorsPath = null)
    {
        var checkpoint = new Checkpoint(dir);
        if (vectorsPath is null)
        {
            var saved = checkpoint.LoadConfig();
            vectorsPath = saved.FindVectors(checkpoint.Dir) ?? throw new FileNotFoundException(
                $"the model's vectors file is gone: {saved.VectorsFullPath ?? saved.VectorsPath} (pass --vectors)", saved.VectorsPath);
        }
        var vectors = WordVectors.Load(vectorsPath);
        var (config, model) = checkpoint.LoadModel(vectors, vectorsPath);
        var targets = config.IsRegression ? checkpoint.LoadTargets(config, vectors) : null;
        return new TrainedModel(config, model, vectors, checkpoint, targets);
    }

    /// <summary>The head applied to LSTM features: [.., H] → [.., out] (a regression head's vectors, or logits).</summary>
    public Tensor Head(Tensor features) => model.Head(features);

    /// <summary>The head's output after each of <paramref name="ids"/> (one stream): [T, out], row-major.</summary>
    public float[] Outputs(ReadOnlySpan<int> ids)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var input = tensor(ids.ToArray().Select(i => (long)i).ToArray(), ids.Length, 1);   // [T, 1]
        var (h, c) = model.InitHidden(1);
        var (output, _) = model.forward(input, (h, c));                                     // [T, 1, out]
        return output.reshape(ids.Length, Config.OutputSize).data<float>().ToArray();
    }

    /// <summary>The most likely next word after each position of <paramref name="ids"/>.</summary>
    public int[] PredictNext(ReadOnlySpan<int> ids)
    {
        var outputs = Outputs(ids);
        int width = Config.OutputSize;
        if (targets is not null) return Decode().DecodeBatch(outputs, 1).Select(n => n[0].Id).ToArray();
        var result = new int[ids.Length];
        for (int t = 0; t < ids.Length; t++)
        {
            var row = outputs.AsSpan(t * width, width);
            int best = 0;
            for (int j = 1; j < width; j++) if (row[j] > row[best]) best = j;
            result[t] = best;
        }
        return result;
    }

    /// <summary>
    /// The <paramref name="k"/> most likely next words given one head output row (best first): a regression head's
    /// output decoded by <see cref="Rule"/> (score: the rule's, with the cosine beside it), a softmax head's logits
    /// turned into probabilities (score: probability).
    /// </summary>
    public Neighbor[] Rank(ReadOnlySpan<float> output, int k)
    {
        if (output.Length != Config.OutputSize)
            throw new ArgumentException($"an output row has {Config.OutputSize} values, not {output.Length}");
        k = Math.Clamp(k, 1, Config.VocabSize);
        if (targets is not null)
            return Decode().Decode(output, k);
        float max = float.NegativeInfinity;
        foreach (var v in output) max = Math.Max(max, v);
        double sum = 0;
        foreach (var v in output) sum += Math.Exp(v - max);
        var best = new PriorityQueue<int, float>();
        for (int i = 0; i < output.Length; i++)
        {
            if (best.Count < k) best.Enqueue(i, output[i]);
            else if (output[i] > output[best.Peek()]) best.EnqueueDequeue(i, output[i]);
        }
        var ranked = new Neighbor[best.Count];
        for (int r = ranked.Length - 1; r >= 0; r--)
        {
            int id = best.Dequeue();
            ranked[r] = new Neighbor(id, float.NaN, (float)(Math.Exp(output[id] - max) / sum));
        }
        return ranked;
    }

    private RuleDecoder Decode() => ruleDecoder ??= new RuleDecoder(ExactTargets!, Rule);

    public void Dispose()
    {
        model.Dispose();
        targets?.Dispose();
    }
}
