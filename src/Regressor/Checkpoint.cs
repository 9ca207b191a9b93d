using System.Text;
using VecLm.Embeddings;

namespace VecLm.Regressor;

/// <summary>
/// The model folder: <c>config.json</c> (<see cref="ModelConfig"/>: shape, loss, vectors and their checksums, every
/// training option), <c>vocab.txt</c>, <c>model.weights</c> (the best model so far, sealed), <c>checkpoint.bin</c>
/// (everything <c>--resume</c> needs, sealed, one file: <see cref="ResumePoint"/>) with <c>state.json</c> (a readable
/// copy of its state), <c>metrics.csv</c>, and for regression heads <c>targets.json</c>, <c>targets.hnsw</c>,
/// <c>decoding.json</c>. Every file is written to a temporary name in the folder and renamed into place; a write that
/// fails (a full disk, a read-only folder) is an <see cref="IOException"/> naming the file, the previous one intact.
/// Folders of earlier versions (<c>last.weights</c>, <c>optimizer.state</c>, unsealed weights) still load and resume.
/// </summary>
public sealed class Checkpoint(string dir)
{
    public string Dir { get; } = Path.GetFullPath(dir);
    public string ConfigPath => Path.Combine(Dir, "config.json");
    public string VocabPath => Path.Combine(Dir, "vocab.txt");
    public string BestWeightsPath => Path.Combine(Dir, "model.weights");
    public string CheckpointPath => Path.Combine(Dir, "checkpoint.bin");
    public string StatePath => Path.Combine(Dir, "state.json");
    public string MetricsPath => Path.Combine(Dir, "metrics.csv");
    public string TargetsPath => Path.Combine(Dir, "targets.json");
    public string TargetIndexPath => Path.Combine(Dir, "targets.hnsw");
    public string DecodingPath => Path.Combine(Dir, "decoding.json");
    /// <summary>The decode vocabulary the model was given at training (<c>train --decode-vocab</c>), if any.</summary>
    public string DecodeVocabPath => Path.Combine(Dir, "decode-vocab.txt");
    /// <summary>The resume files of folders written before checkpoint.bin.</summary>
    public string LastWeightsPath => Path.Combine(Dir, "last.weights");
    public string OptimizerPath => Path.Combine(Dir, "optimizer.state");

    public const string WeightsKind = "WEIGHTS";

    /// <summary>Every file a model folder may hold (a <c>--force</c> run removes them, nothing else).</summary>
    public IEnumerable<string> ModelFiles =>
        [ConfigPath, VocabPath, BestWeightsPath, CheckpointPath, StatePath, MetricsPath, TargetsPath, TargetIndexPath,
         DecodingPath, LastWeightsPath, OptimizerPath, DecodeVocabPath];

    public bool HoldsModel => File.Exists(ConfigPath) || File.Exists(BestWeightsPath) || File.Exists(CheckpointPath)
                              || File.Exists(LastWeightsPath);

    public bool CanResume => File.Exists(ConfigPath) && (File.Exists(CheckpointPath)
                             || (File.Exists(LastWeightsPath) && File.Exists(OptimizerPath) && File.Exists(StatePath)));

    /// <summary>
    /// Before a run from scratch: a folder that holds a model is refused unless <paramref name="force"/>, which removes
    /// that model's files (only those); temporary files a killed run left behind are removed either way.
    /// </summary>
    public void StartFresh(bool force)
    {
        if (HoldsModel)
        {
            if (!force)
                throw new BadInputException(
                    $"{Dir} already holds a model: pass --resume to continue it, or --force to train a new one in its place");
            foreach (var file in ModelFiles) File.Delete(file);
        }
        RemoveTemporaries();
    }

    /// <summary>Removes the temporary files of writes a killed run never finished (AtomicFile's <c>.NAME.*.tmp</c>).</summary>
    public void RemoveTemporaries()
    {
        if (!Directory.Exists(Dir)) return;
        var names = ModelFiles.Select(Path.GetFileName).ToHashSet();
        foreach (var temp in Directory.EnumerateFiles(Dir, ".*.tmp"))
        {
            string name = Path.GetFileName(temp)[1..];
            if (names.Any(n => name.StartsWith(n + ".", StringComparison.Ordinal))) File.Delete(temp);
        }
    }

    public void SaveConfig(ModelConfig config) =>
        Write(ConfigPath, () => AtomicFile.WriteText(ConfigPath, config.RelativeTo(Dir).ToJson()));

    public void SaveVocabulary(Vocabulary vocabulary)
    {
        var text = new StringBuilder();
        for (int i = 0; i < vocabulary.Count; i++) text.Append(vocabulary[i]).Append(' ').Append(vocabulary.Counts[i]).Append('\n');
        Write(VocabPath, () => AtomicFile.WriteText(VocabPath, text.ToString()));
    }

    public ModelConfig LoadConfig()
    {
        if (!Directory.Exists(Dir)) throw new DirectoryNotFoundException($"model folder not found: {Dir}");
        if (!File.Exists(ConfigPath)) throw new FileNotFoundException($"not a model folder (no config.json): {Dir}", ConfigPath);
        return ModelConfig.FromJson(File.ReadAllText(ConfigPath), ConfigPath);
    }

    /// <summary>Writes targets.json and returns the checksum of its bytes (recorded in config.json).</summary>
    public string SaveTargets(PostProcessor processor)
    {
        Write(TargetsPath, () => processor.Save(TargetsPath));
        return ModelConfig.Checksum(File.ReadAllBytes(TargetsPath));
    }

    /// <summary>
    /// The HNSW index over <paramref name="targets"/> (hnswlib's defaults): targets.hnsw, or, when it is missing or
    /// stale, one built now on every core and kept there for the next use (a cache: a folder that cannot be written
    /// to only means building again). Training does not build it: at a million words that takes minutes, and a model
    /// decoded by exact search never needs it.
    /// </summary>
    public Decoder.IVectorIndex LoadTargetIndex(TargetVectors targets)
    {
        var rows = targets.ToArray();
        if (File.Exists(TargetIndexPath))
        {
            try { return Decoder.HnswIndex.Load(TargetIndexPath, rows, targets.Dim); }
            catch (InvalidDataException) { }
        }
        var index = Decoder.HnswIndex.Build(rows, targets.Dim, new Decoder.HnswOptions(Threads: Environment.ProcessorCount));
        try { index.Save(TargetIndexPath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return index;
    }

    /// <summary>
    /// The regression targets of a model with this <paramref name="config"/>: the post-processing recorded in
    /// targets.json, or, for a folder without one, the config's post-processing fitted again to the vectors.
    /// </summary>
    public TargetVectors LoadTargets(ModelConfig config, WordVectors vectors)
    {
        if (config.TargetsChecksum is { } expected)
        {
            if (!File.Exists(TargetsPath)) throw new FileNotFoundException($"the model folder has no targets.json: {Dir}", TargetsPath);
            if (ModelConfig.Checksum(File.ReadAllBytes(TargetsPath)) != expected)
                throw SealedFile.Damaged(TargetsPath, "its checksum is not the one config.json records");
        }
        var processor = File.Exists(TargetsPath) ? PostProcessor.Load(TargetsPath)
            : PostProcessing.Parse(config.Targets).Fit(vectors);
        if (processor.Spec != PostProcessing.Parse(config.Targets).ToString() || processor.Dim != vectors.Dim)
            throw new InvalidDataException(
                $"{TargetsPath} is '{processor.Spec}' of dimension {processor.Dim}; the model is '{config.Targets}' of dimension {vectors.Dim}");
        return TargetVectors.Create(vectors, processor);
    }

    /// <summary>The best model so far: its weights in a sealed file (checksum verified on load).</summary>
    public void SaveBest(RnnModel model) =>
        Write(BestWeightsPath, () => SealedFile.Write(BestWeightsPath, WeightsKind,
            [("weights", ResumePoint.Streamed(model.SaveWeights))]));

    /// <summary>The checkpoint (one sealed file), then state.json, its readable copy.</summary>
    public void SaveResumePoint(RnnModel model, TorchSharp.Modules.OptimizerHelper optimizer, TrainerState state,
        (TorchSharp.torch.Tensor H, TorchSharp.torch.Tensor C)? hidden)
    {
        Write(CheckpointPath, () => ResumePoint.Save(CheckpointPath, model, optimizer, state, hidden));
        Write(StatePath, () => AtomicFile.WriteText(StatePath, ResumePoint.StateJson(state)));
    }

    /// <summary>
    /// The state to resume from, loaded into the model and optimizer: checkpoint.bin, or in a folder written before it,
    /// last.weights, optimizer.state and state.json (which carry no random generator or LSTM state).
    /// </summary>
    public (TrainerState State, (TorchSharp.torch.Tensor H, TorchSharp.torch.Tensor C)? Hidden) LoadResumePoint(
        RnnModel model, TorchSharp.Modules.OptimizerHelper optimizer, ModelConfig config, int batch)
    {
        if (!CanResume) throw new FileNotFoundException($"nothing to resume in {Dir} (no checkpoint.bin)", CheckpointPath);
        if (File.Exists(CheckpointPath)) return ResumePoint.Load(CheckpointPath, model, optimizer, config, batch);
        if (config.Format >= ModelConfig.CurrentFormat)
            throw new FileNotFoundException($"nothing to resume in {Dir} (checkpoint.bin is missing)", CheckpointPath);
        model.load(LastWeightsPath);
        optimizer.load_state_dict(OptimizerPath);
        return (ResumePoint.ParseState(File.ReadAllBytes(StatePath), StatePath), null);
    }

    /// <summary>
    /// Before a resumed run writes sealed files into a folder of an earlier version: its raw model.weights sealed, so
    /// the folder holds one format (a folder whose config.json is not upgraded yet still reads sealed weights).
    /// </summary>
    public void UpgradeBest(ModelConfig config, float[] inputVectors)
    {
        if (!File.Exists(BestWeightsPath) || SealedFile.LooksSealed(BestWeightsPath)) return;
        using var best = new RnnModel(config, inputVectors);
        best.load(BestWeightsPath);
        SaveBest(best);
    }

    /// <summary>
    /// The trained model for use: the config checked against <paramref name="vectors"/> (same dimension, vocabulary
    /// and values), then the best weights (or, before the first validation, the checkpoint's), in eval mode.
    /// </summary>
    public (ModelConfig Config, RnnModel Model) LoadModel(WordVectors vectors, string vectorsPath)
    {
        var config = LoadConfig();
        config.CheckMatches(vectors, vectorsPath);
        var model = new RnnModel(config, vectors.Data);
        try
        {
            if (config.Format >= ModelConfig.CurrentFormat || SealedFile.LooksSealed(BestWeightsPath))
            {
                string path = File.Exists(BestWeightsPath) ? BestWeightsPath
                    : File.Exists(CheckpointPath) ? CheckpointPath
                    : throw new FileNotFoundException($"the model folder has no weights: {Dir}", BestWeightsPath);
                using var parts = SealedFile.Open(path, path == BestWeightsPath ? WeightsKind : ResumePoint.Kind);
                ResumePoint.LoadWeights(model, parts, path);
            }
            else
            {
                string weights = File.Exists(BestWeightsPath) ? BestWeightsPath
                    : File.Exists(LastWeightsPath) ? LastWeightsPath
                    : throw new FileNotFoundException($"the model folder has no weights: {Dir}", BestWeightsPath);
                model.load(weights);
            }
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return (config, model);
    }

    /// <summary>
    /// Runs a write of <paramref name="path"/>; an I/O failure (a full disk, a read-only folder) becomes one message
    /// naming the file and the reason (the temporary file is already gone and the previous file intact: AtomicFile).
    /// </summary>
    public static void Write(string path, Action write)
    {
        try { write(); }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new IOException($"could not write {path}: {Reason(e)}", e);
        }
    }

    /// <summary>The reason of an I/O error without the path .NET appends (the temporary file's).</summary>
    private static string Reason(IOException e)
    {
        string message = e.Message;
        int at = message.IndexOf(" : '", StringComparison.Ordinal);
        return (at > 0 ? message[..at] : message).TrimEnd('.', ' ');
    }
}
