using System.Text.Json;
using System.Text.Json.Serialization;
using VecLm.Embeddings;

namespace VecLm.Regressor;

/// <summary>The output layer and its training loss.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LossKind>))]
public enum LossKind { Cosine, L2, MaxMargin, Vmf, Sampled, Softmax }

/// <summary>
/// Everything that fixes the model's shape and meaning (nanoGPT's GPTConfig): saved as <c>config.json</c> beside
/// the weights. The vectors' path (relative to the model folder, with the absolute one as a fallback), a hash of their
/// vocabulary and a checksum of their values tie the model to the vectors it was trained with; <see cref="Training"/>
/// records every training option, compared on <c>--resume</c>.
/// </summary>
public sealed record ModelConfig
{
    public LossKind Loss { get; init; } = LossKind.Cosine;
    public int VocabSize { get; init; }
    public int EmbeddingDim { get; init; }
    public int Hidden { get; init; } = 256;
    public int Layers { get; init; } = 2;
    public double Dropout { get; init; } = 0.2;
    public bool TrainInputEmbeddings { get; init; }
    /// <summary>
    /// The regression targets' post-processing (<c>raw</c>, <c>center</c>, <c>abtt:D</c>; see
    /// <see cref="PostProcessing"/>); its fitted form is <c>targets.json</c>. Configs written before it existed were raw.
    /// </summary>
    public string Targets { get; init; } = "raw";
    /// <summary>γ of the max-margin loss and λ₂ of the NLLvMF loss (the knobs of those two losses).</summary>
    public double Margin { get; init; } = MaxMarginLoss.DefaultMargin;
    public double VmfLambda { get; init; } = VmfLoss.DefaultLambda;
    /// <summary>Words sampled per batch by the sampled loss (<see cref="SampledLoss"/>).</summary>
    public int Negatives { get; init; } = SampledLoss.DefaultNegatives;
    /// <summary>
    /// The vectors file relative to the model folder (so a folder copied with its vectors beside it loads), or
    /// absolute in folders written before; <see cref="VectorsFullPath"/> is where it was when the model was trained.
    /// </summary>
    public string VectorsPath { get; init; } = "";
    public string? VectorsFullPath { get; init; }
    public string VocabularyHash { get; init; } = "";
    /// <summary>XxHash64 of the vectors' values (null in folders written before it existed).</summary>
    public string? VectorsChecksum { get; init; }
    /// <summary>XxHash64 of targets.json's bytes (regression heads; null in older folders).</summary>
    public string? TargetsChecksum { get; init; }
    /// <summary>2: model.weights and the checkpoint are sealed files (<see cref="SealedFile"/>); 0: older folders.</summary>
    public int Format { get; init; }
    /// <summary>
    /// How the model reads text (<c>--tokenize [--lowercase]</c>): applied to its training, validation and test text and
    /// to prompts (<see cref="TrainedModel.Tokenizer"/>); null: pre-tokenised text, split on white space (older folders too).
    /// </summary>
    public TokenizerOptions? Tokenizer { get; init; }
    /// <summary>The complete training options and the changes made on each resume (null in older folders).</summary>
    public TrainingRecord? Training { get; init; }

    public const int CurrentFormat = 2;

    [JsonIgnore] public bool IsRegression => Loss != LossKind.Softmax;
    /// <summary>Width of the head: the vectors' dimension for a regression head, |V| for softmax.</summary>
    [JsonIgnore] public int OutputSize => IsRegression ? EmbeddingDim : VocabSize;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static ModelConfig For(WordVectors vectors, string vectorsPath, LossKind loss, int hidden, int layers,
        double dropout, bool trainInputEmbeddings, string targets = "raw")
    {
        if (hidden <= 0) throw new BadInputException($"--hidden must be positive (got {hidden})");
        if (layers <= 0) throw new BadInputException($"--layers must be positive (got {layers})");
        if (dropout is < 0 or >= 1) throw new BadInputException($"--dropout must be in [0, 1) (got {dropout})");
        return new ModelConfig
        {
            Loss = loss, VocabSize = vectors.Count, EmbeddingDim = vectors.Dim, Hidden = hidden, Layers = layers,
            Dropout = dropout, TrainInputEmbeddings = trainInputEmbeddings,
            Targets = loss == LossKind.Softmax ? "raw" : PostProcessing.Parse(targets).ToString(),
            VectorsPath = Path.GetFullPath(vectorsPath), VectorsFullPath = Path.GetFullPath(vectorsPath),
            VocabularyHash = HashOf(vectors.Vocabulary), VectorsChecksum = ChecksumOf(vectors), Format = CurrentFormat,
        };
    }

    /// <summary>This config as saved in <paramref name="dir"/>: the vectors' path relative to that folder.</summary>
    public ModelConfig RelativeTo(string dir) => this with
    {
        VectorsPath = Path.GetRelativePath(Path.GetFullPath(dir), VectorsFullPath ?? Path.GetFullPath(VectorsPath)),
    };

    /// <summary>
    /// The vectors file of a model in <paramref name="dir"/>: the recorded path taken from the folder, else the
    /// absolute path it had at training; null when neither exists.
    /// </summary>
    public string? FindVectors(string dir)
    {
        string beside = Path.GetFullPath(Path.Combine(dir, VectorsPath));
        if (VectorFormats.Exists(beside)) return beside;
        return VectorsFullPath is { } full && VectorFormats.Exists(full) ? full : null;
    }

    /// <summary>Throws unless <paramref name="vectors"/> are the ones this model was trained with.</summary>
    public void CheckMatches(WordVectors vectors, string vectorsPath)
    {
        if (vectors.Dim != EmbeddingDim)
            throw new InvalidDataException(
                $"the vectors '{vectorsPath}' have dimension {vectors.Dim}, the model expects {EmbeddingDim}");
        if (vectors.Count != VocabSize || HashOf(vectors.Vocabulary) != VocabularyHash)
            throw new InvalidDataException(
                $"the vectors '{vectorsPath}' have another vocabulary than the model was trained with ('{VectorsFullPath ?? VectorsPath}')");
        if (VectorsChecksum is { } expected && ChecksumOf(vectors) != expected)
            throw new InvalidDataException(
                $"the vectors '{vectorsPath}' have the model's words but other values than the vectors it was trained with " +
                $"('{VectorsFullPath ?? VectorsPath}'; checksum {ChecksumOf(vectors)}, expected {expected})");
    }

    /// <summary>XxHash64 of the vectors' values (as little-endian floats), hex.</summary>
    public static string ChecksumOf(WordVectors vectors) =>
        Checksum(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vectors.Data.AsSpan()));

    public static string Checksum(ReadOnlySpan<byte> bytes) =>
        System.IO.Hashing.XxHash64.HashToUInt64(bytes).ToString("x16");

    /// <summary>SHA-256 of the words in id order, each followed by a newline: the vocabulary's identity.</summary>
    public static string HashOf(Vocabulary vocabulary) => vocabulary.Hash();

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ModelConfig FromJson(string json, string path)
    {
        try
        {
            var config = JsonSerializer.Deserialize<ModelConfig>(json, Json)
                         ?? throw new InvalidDataException($"the model config '{path}' is empty");
            if (config.VocabSize <= 0 || config.EmbeddingDim <= 0 || config.Hidden <= 0 || config.Layers <= 0
                || config.VectorsPath.Length == 0 || config.VocabularyHash.Length == 0)
                throw new InvalidDataException($"the model config '{path}' is not valid: sizes or vectors missing");
            return config;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the model config '{path}' is not valid: {e.Message}");
        }
    }
}
