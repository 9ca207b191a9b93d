using System.Text.Json;
using VecLm.Embeddings;
using TorchSharp;

namespace VecLm.Regressor;

/// <summary>Where training stands, saved as <c>state.json</c> for <c>--resume</c>.</summary>
public sealed record TrainerState
{
    /// <summary>The epoch in progress (1-based) and the next chunk of it to train.</summary>
    public int Epoch { get; init; } = 1;
    public int NextChunk { get; init; }
    public long Step { get; init; }
    public double LearningRate { get; init; }
    public double BestValidLoss { get; init; } = double.PositiveInfinity;
    public double ElapsedSeconds { get; init; }
    /// <summary>The part of <see cref="ElapsedSeconds"/> spent in training steps (not validation or fitting).</summary>
    public double StepSeconds { get; init; }
    public long TokensTrained { get; init; }
    /// <summary>Sum and count of the epoch-in-progress's training losses (its mean goes into metrics.csv).</summary>
    public double EpochLossSum { get; init; }
    public long EpochLossCount { get; init; }
}

/// <summary>
/// The model folder: <c>config.json</c> (<see cref="ModelConfig"/>), <c>model.weights</c> (the best model so far),
/// and, for <c>--resume</c>, <c>last.weights</c>, <c>optimizer.state</c> and <c>state.json</c>; <c>metrics.csv</c>
/// beside them. Every file is written to a temporary name in the folder and renamed into place.
/// </summary>
public sealed class Checkpoint(string dir)
{
    public string Dir { get; } = Path.GetFullPath(dir);
    public string ConfigPath => Path.Combine(Dir, "config.json");
    public string BestWeightsPath => Path.Combine(Dir, "model.weights");
    public string LastWeightsPath => Path.Combine(Dir, "last.weights");
    public string OptimizerPath => Path.Combine(Dir, "optimizer.state");
    public string StatePath => Path.Combine(Dir, "state.json");
    public string MetricsPath => Path.Combine(Dir, "metrics.csv");
    public string TargetsPath => Path.Combine(Dir, "targets.json");
    public string TargetIndexPath => Path.Combine(Dir, "targets.hnsw");
    public string DecodingPath => Path.Combine(Dir, "decoding.json");

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public bool CanResume => File.Exists(ConfigPath) && File.Exists(LastWeightsPath) && File.Exists(OptimizerPath)
                             && File.Exists(StatePath);

    public void SaveConfig(ModelConfig config) => AtomicFile.WriteText(ConfigPath, config.ToJson());

    public ModelConfig LoadConfig()
    {
        if (!Directory.Exists(Dir)) throw new DirectoryNotFoundException($"model folder not found: {Dir}");
        if (!File.Exists(ConfigPath)) throw new FileNotFoundException($"not a model folder (no config.json): {Dir}", ConfigPath);
        return ModelConfig.FromJson(File.ReadAllText(ConfigPath), ConfigPath);
    }

    public void SaveTargets(PostProcessor processor) => processor.Save(TargetsPath);

    /// <summary>An HNSW index over the target rows (hnswlib's defaults), so a loaded model need not build one.</summary>
    public void SaveTargetIndex(TargetVectors targets, int threads) =>
        Decoder.HnswIndex.Build(targets.ToArray(), targets.Dim, new Decoder.HnswOptions(Threads: Math.Max(1, threads)))
            .Save(TargetIndexPath);

    /// <summary>The saved HNSW index over <paramref name="targets"/>, or one built now if it is missing or stale.</summary>
    public Decoder.IVectorIndex LoadTargetIndex(TargetVectors targets)
    {
        var rows = targets.ToArray();
        if (File.Exists(TargetIndexPath))
        {
            try { return Decoder.HnswIndex.Load(TargetIndexPath, rows, targets.Dim); }
            catch (InvalidDataException) { }
        }
        return Decoder.HnswIndex.Build(rows, targets.Dim, new Decoder.HnswOptions());
    }

    /// <summary>
    /// The regression targets of a model with this <paramref name="config"/>: the post-processing recorded in
    /// targets.json, or, for a folder without one, the config's post-processing fitted again to the vectors.
    /// </summary>
    public TargetVectors LoadTargets(ModelConfig config, WordVectors vectors)
    {
        var processor = File.Exists(TargetsPath) ? PostProcessor.Load(TargetsPath)
            : PostProcessing.Parse(config.Targets).Fit(vectors);
        if (processor.Spec != PostProcessing.Parse(config.Targets).ToString() || processor.Dim != vectors.Dim)
            throw new InvalidDataException(
                $"{TargetsPath} is '{processor.Spec}' of dimension {processor.Dim}; the model is '{config.Targets}' of dimension {vectors.Dim}");
        return TargetVectors.Create(vectors, processor);
    }

    public void SaveBest(RnnModel model) => AtomicFile.WriteVia(BestWeightsPath, temp => model.save(temp));

    /// <summary>The state to resume from: weights, optimizer moments and the trainer's position.</summary>
    public void SaveLast(RnnModel model, TorchSharp.Modules.OptimizerHelper optimizer, TrainerState state)
    {
        AtomicFile.WriteVia(LastWeightsPath, temp => model.save(temp));
        AtomicFile.WriteVia(OptimizerPath, temp => optimizer.save_state_dict(temp));
        AtomicFile.WriteText(StatePath, JsonSerializer.Serialize(state, Json));
    }

    public TrainerState LoadLast(RnnModel model, TorchSharp.Modules.OptimizerHelper optimizer)
    {
        if (!CanResume) throw new FileNotFoundException($"nothing to resume in {Dir} (no last.weights, optimizer.state or state.json)");
        model.load(LastWeightsPath);
        optimizer.load_state_dict(OptimizerPath);
        try
        {
            return JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(StatePath), Json)
                   ?? throw new InvalidDataException($"empty training state: {StatePath}");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the training state '{StatePath}' is not valid: {e.Message}");
        }
    }

    /// <summary>
    /// The trained model for use: the config checked against <paramref name="vectors"/> (same dimension, same
    /// vocabulary hash), then the best weights (or the last ones if no best was kept yet), in eval mode.
    /// </summary>
    public (ModelConfig Config, RnnModel Model) LoadModel(WordVectors vectors, string vectorsPath)
    {
        var config = LoadConfig();
        config.CheckMatches(vectors, vectorsPath);
        string weights = File.Exists(BestWeightsPath) ? BestWeightsPath
            : File.Exists(LastWeightsPath) ? LastWeightsPath
            : throw new FileNotFoundException($"the model folder has no weights: {Dir}", BestWeightsPath);
        var model = new RnnModel(config, vectors.Data);
        model.load(weights);
        model.eval();
        return (config, model);
    }
}
