using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VecLm.Regressor;

/// <summary>
/// The language model, as pytorch/examples' word_language_model <c>RNNModel</c>: pretrained word vectors →
/// dropout → a multi-layer LSTM (dropout between layers) → dropout → a linear head. The head is
/// Linear(hidden → m) for the regression losses (it predicts the next word's m-dimensional vector) or
/// Linear(hidden → |V|) for the softmax baseline (it predicts logits).
/// </summary>
public sealed class RnnModel : nn.Module<Tensor, (Tensor H, Tensor C), (Tensor Output, (Tensor H, Tensor C) Hidden)>
{
    private readonly Embedding encoder;
    private readonly Dropout drop;
    private readonly LSTM rnn;
    private readonly Linear decoder;
    private readonly int layers;
    private readonly int hidden;
    private readonly string[] derived;   // tensors kept out of weights files: a frozen input table (the vectors file holds it)

    public RnnModel(ModelConfig config, float[] inputVectors) : base(nameof(RnnModel))
    {
        if (inputVectors.Length != (long)config.VocabSize * config.EmbeddingDim)
            throw new ArgumentException($"{inputVectors.Length} input values for {config.VocabSize}×{config.EmbeddingDim}");
        layers = config.Layers;
        hidden = config.Hidden;
        encoder = nn.Embedding(config.VocabSize, config.EmbeddingDim);
        drop = nn.Dropout(config.Dropout);
        rnn = nn.LSTM(config.EmbeddingDim, config.Hidden, config.Layers, dropout: config.Layers > 1 ? config.Dropout : 0);
        decoder = nn.Linear(config.Hidden, config.OutputSize);
        InitWeights(inputVectors, config.TrainInputEmbeddings);
        RegisterComponents();
        derived = config.TrainInputEmbeddings ? [] : [EncoderWeight];
    }

    private const string EncoderWeight = "encoder.weight";

    /// <summary>
    /// Writes the weights a model needs besides its vectors file: a frozen input table is the vectors themselves
    /// (1M × 64 is 256 MB), so it is left out; a trained one is written.
    /// </summary>
    public void SaveWeights(BinaryWriter writer) => save(writer, skip: derived);

    /// <summary>
    /// Reads weights written by <see cref="SaveWeights"/>, or by an earlier version that wrote the frozen input table
    /// too (skipped: the vectors given at construction are the same values). Anything else missing or extra is an error.
    /// </summary>
    public void LoadWeights(BinaryReader reader)
    {
        var loaded = new Dictionary<string, bool>(StringComparer.Ordinal);
        load(reader, strict: false, skip: derived, loadedParameters: loaded);
        if (loaded.FirstOrDefault(kv => !kv.Value).Key is { } extra)
            throw new ArgumentException($"the model has no tensor named '{extra}'");
        if (state_dict().Keys.FirstOrDefault(k => !loaded.ContainsKey(k) && !derived.Contains(k)) is { } missing)
            throw new ArgumentException($"the weights have no tensor named '{missing}'");
    }

    /// <summary>input: [T, B] word ids; hidden: ([L, B, H], [L, B, H]). Returns [T, B, out] and the new state.</summary>
    public override (Tensor Output, (Tensor H, Tensor C) Hidden) forward(Tensor input, (Tensor H, Tensor C) state)
    {
        var (features, hidden) = Features(input, state);               // [T, B, H]
        using (features) return (Head(features), hidden);               // [T, B, out]
    }

    /// <summary>The LSTM's top-layer output for every position ([T, B, H]) and the new state: everything but the head.</summary>
    public (Tensor Features, (Tensor H, Tensor C) Hidden) Features(Tensor input, (Tensor H, Tensor C) state)
    {
        using var emb = drop.forward(encoder.forward(input));           // [T, B, m]
        var (output, h, c) = rnn.forward(emb, state);                   // [T, B, H]
        return (output, (h, c));
    }

    /// <summary>
    /// The head's output for features [N, H] in the layout the loss reads (<see cref="OutputLoss.Layout"/>):
    /// [N, out], or [out, N] computed as W·xᵀ + b — the same numbers transposed; for the softmax head MKL computes
    /// that product for |V| = 17,715 about 1.6× faster than x·Wᵀ on the AMD EPYC this was measured on.
    /// </summary>
    public Tensor Output(Tensor features, OutputLayout layout)
    {
        if (layout == OutputLayout.PositionMajor) return Head(features);
        using var dropped = drop.forward(features);                     // [N, H]
        using var bias = decoder.bias!.unsqueeze(1);                    // [out, 1]
        return addmm(bias, decoder.weight!, dropped.t(), 1, 1);         // [out, N]
    }

    /// <summary>
    /// What the head reads, for a step that applies it by hand (<see cref="FusedSoftmaxHead"/>): the features after
    /// dropout ([N, H], with their graph), and the Linear layer's weight ([out, H]) and bias ([out]).
    /// </summary>
    internal (Tensor Dropped, Tensor Weight, Tensor Bias) HeadInputs(Tensor features) =>
        (drop.forward(features), decoder.weight!, decoder.bias!);

    /// <summary>The head: dropout, then Linear(hidden → out). [.., H] → [.., out].</summary>
    public Tensor Head(Tensor features)
    {
        using var dropped = drop.forward(features);
        return decoder.forward(dropped);
    }

    /// <summary>The zero state for <paramref name="batch"/> parallel streams.</summary>
    public (Tensor H, Tensor C) InitHidden(int batch) =>
        (zeros(layers, batch, hidden), zeros(layers, batch, hidden));

    /// <summary>
    /// The embedding holds the pretrained vectors: a plain Embedding with the vectors copied in under no_grad (in
    /// TorchSharp 0.107, <c>Embedding_from_pretrained(…, freeze: true)</c> registers a separate random weight, and that
    /// is what save and load see; DEVELOPERS.md, pitfalls). The head is initialised uniform(±0.1), bias 0.
    /// </summary>
    private void InitWeights(float[] inputVectors, bool trainInput)
    {
        using var _ = no_grad();
        // Straight into the weight's memory: no second |V| × m tensor (256 MB at 1M words).
        inputVectors.AsSpan().CopyTo(TensorMemory.Of<float>(encoder.weight!));
        encoder.weight!.requires_grad = trainInput;
        nn.init.uniform_(decoder.weight!, -0.1, 0.1);
        nn.init.zeros_(decoder.bias!);
    }
}
