using VecLm.Decoder;
using VecLm.Embeddings;
using static TorchSharp.torch;

namespace VecLm.Regressor;

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

    private TrainedModel(ModelConfig config, RnnModel model, WordVectors vectors, Func<TargetVectors, IVectorIndex>? indexFactory)
    {
        Config = config;
        this.model = model;
        Vectors = vectors;
        if (config.IsRegression)
        {
            targets = TargetVectors.UnitRows(vectors);
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
        var (config, model) = new Checkpoint(dir).LoadModel(vectors, vectorsPath);
        return new TrainedModel(config, model, vectors, indexFactory);
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

    public void Dispose()
    {
        model.Dispose();
        targets?.Dispose();
    }
}
