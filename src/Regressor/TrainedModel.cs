using VecLm.Decoder;
using VecLm.Embeddings;
using static TorchSharp.torch;

namespace VecLm.Regressor;

/// <summary>A candidate next word and its score: cosine for a regression head, probability for softmax.</summary>
public readonly record struct RankedWord(int Id, float Score);

/// <summary>
/// A trained model ready for use: loaded from its folder with the vectors it was trained with (checked by the
/// vocabulary hash), in eval mode. Predicts, after every position of a token sequence, the head's output and the
/// top-1 next word (regression heads: the output decoded through an <see cref="IVectorIndex"/> over the target
/// vectors; softmax: the argmax).
/// </summary>
public sealed class TrainedModel : IDisposable
{
    private readonly RnnModel model;
    private readonly TargetVectors? targets;
    private readonly IVectorIndex? index;

    private TrainedModel(ModelConfig config, RnnModel model, WordVectors vectors, TargetVectors? targets,
        Func<TargetVectors, IVectorIndex>? indexFactory)
    {
        Config = config;
        this.model = model;
        Vectors = vectors;
        this.targets = targets;
        if (targets is not null)
        {
            index = (indexFactory ?? (t => t.ExactIndex()))(targets);
        }
    }

    public ModelConfig Config { get; }
    public WordVectors Vectors { get; }
    /// <summary>The network itself, for the scorers that run it chunk by chunk.</summary>
    internal RnnModel Network => model;
    /// <summary>Parameters the training updated (the frozen input embeddings are not counted).</summary>
    public long TrainedParameters => model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    public static TrainedModel Load(string dir, string vectorsPath, Func<TargetVectors, IVectorIndex>? indexFactory = null)
    {
        var vectors = WordVectors.Load(vectorsPath);
        var checkpoint = new Checkpoint(dir);
        var (config, model) = checkpoint.LoadModel(vectors, vectorsPath);
        var targets = config.IsRegression ? checkpoint.LoadTargets(config, vectors) : null;
        return new TrainedModel(config, model, vectors, targets, indexFactory);
    }

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
        if (index is not null) return index.SearchBatch(outputs, 1).Select(n => n[0].Id).ToArray();
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
    /// output decoded to its nearest target vectors (score: cosine), a softmax head's logits turned into
    /// probabilities (score: probability).
    /// </summary>
    public RankedWord[] Rank(ReadOnlySpan<float> output, int k)
    {
        if (output.Length != Config.OutputSize)
            throw new ArgumentException($"an output row has {Config.OutputSize} values, not {output.Length}");
        k = Math.Clamp(k, 1, Config.VocabSize);
        if (index is not null)
            return index.Search(output, k).Select(n => new RankedWord(n.Id, n.Similarity)).ToArray();
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
        var ranked = new RankedWord[best.Count];
        for (int r = ranked.Length - 1; r >= 0; r--)
        {
            int id = best.Dequeue();
            ranked[r] = new RankedWord(id, (float)(Math.Exp(output[id] - max) / sum));
        }
        return ranked;
    }

    public void Dispose()
    {
        model.Dispose();
        targets?.Dispose();
    }
}
