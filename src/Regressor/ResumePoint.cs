using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace VecLm.Regressor;

/// <summary>Where training stands, in the checkpoint (and copied to <c>state.json</c> for people and reports).</summary>
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
    /// <summary>
    /// The part of <see cref="StepSeconds"/> and <see cref="TokensTrained"/> spent in the first step of each run (each
    /// process, resumed or not): the step that faults in the step's tables (at a million words the softmax head's
    /// 4.5 GB buffer, 5–13 s on this machine's first touch). <see cref="SteadyTokensPerSecond"/> leaves them out.
    /// </summary>
    public double WarmUpSeconds { get; init; }
    public long WarmUpTokens { get; init; }

    /// <summary>Tokens per second of the steps after each run's first (NaN before a second step).</summary>
    public double SteadyTokensPerSecond =>
        StepSeconds - WarmUpSeconds > 0 ? (TokensTrained - WarmUpTokens) / (StepSeconds - WarmUpSeconds) : double.NaN;
    /// <summary>Sum and count of the training losses since the last validation (their mean goes into metrics.csv).</summary>
    public double EpochLossSum { get; init; }
    public long EpochLossCount { get; init; }
    /// <summary>The step of the last validation (-1: none yet).</summary>
    public long ValidatedStep { get; init; } = -1;
}

/// <summary>
/// Everything a resumed run needs to continue where this one stands, bit for bit where the run is reproducible, as
/// one sealed file (<c>checkpoint.bin</c>, <see cref="SealedFile"/>) written in one atomic rename: the trainer's
/// state (epoch, position in it, step, learning rate, best validation loss, clocks), the last weights, Adam's state,
/// LibTorch's random generator (dropout, the sampled loss's negatives) and the LSTM state carried into the next chunk.
/// A crash leaves the previous checkpoint or this one, never a mix of two steps.
/// </summary>
public static class ResumePoint
{
    public const string Kind = "CHECKPT";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string StateJson(TrainerState state) => JsonSerializer.Serialize(state, Json);

    public static void Save(string path, RnnModel model, TorchSharp.Modules.OptimizerHelper optimizer, TrainerState state,
        (Tensor H, Tensor C)? hidden)
    {
        byte[] rngBytes;
        using (var rng = torch.get_rng_state()) rngBytes = rng.data<byte>().ToArray();
        var parts = new List<(string, Action<Stream>)>
        {
            ("state", Raw(Encoding.UTF8.GetBytes(StateJson(state)))),
            ("weights", Streamed(model.SaveWeights)),
            ("optimizer", Streamed(optimizer.save_state_dict)),
            ("rng", Raw(rngBytes)),
        };
        if (hidden is { } h)
        {
            parts.Add(("hidden.h", Raw(MemoryMarshal.AsBytes(h.H.data<float>().ToArray().AsSpan()).ToArray())));
            parts.Add(("hidden.c", Raw(MemoryMarshal.AsBytes(h.C.data<float>().ToArray().AsSpan()).ToArray())));
        }
        SealedFile.Write(path, Kind, parts);
    }

    /// <summary>
    /// Loads the checkpoint into <paramref name="model"/> and <paramref name="optimizer"/>, sets LibTorch's random
    /// generator, and returns the state and the carried LSTM state ([layers, batch, hidden] each; null at an epoch's
    /// start). The file's checksum is verified before any byte reaches TorchSharp.
    /// </summary>
    public static (TrainerState State, (Tensor H, Tensor C)? Hidden) Load(string path, RnnModel model,
        TorchSharp.Modules.OptimizerHelper optimizer, ModelConfig config, int batch)
    {
        using var parts = SealedFile.Open(path, Kind);
        var state = ParseState(parts.Bytes("state"), path);
        LoadWeights(model, parts, path);
        Into(path, "optimizer state", () =>
        {
            using var reader = parts.Reader("optimizer");
            optimizer.load_state_dict(reader);
        });
        Into(path, "random generator state", () =>
        {
            using var rng = torch.tensor(parts.Bytes("rng"));
            torch.set_rng_state(rng);
        });
        if (!parts.Has("hidden.h")) return (state, null);
        long[] shape = [config.Layers, batch, config.Hidden];
        return (state, (Floats(parts.Bytes("hidden.h"), shape, path), Floats(parts.Bytes("hidden.c"), shape, path)));
    }

    /// <summary>The "weights" part of a sealed file (checksum already verified) loaded into <paramref name="model"/>.</summary>
    public static void LoadWeights(RnnModel model, SealedParts parts, string path) =>
        Into(path, "weights", () =>
        {
            using var reader = parts.Reader("weights");
            model.LoadWeights(reader);
        });

    /// <summary>A sealed file's part written by a TorchSharp writer straight into the file.</summary>
    public static Action<Stream> Streamed(Action<BinaryWriter> write) => stream =>
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        write(writer);
    };

    private static Action<Stream> Raw(byte[] bytes) => stream => stream.Write(bytes);

    public static byte[] Bytes(Action<BinaryWriter> write)
    {
        var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true)) write(writer);
        return stream.ToArray();
    }

    public static TrainerState ParseState(byte[] json, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<TrainerState>(json, Json) ?? throw new InvalidDataException($"empty training state in {path}");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the training state in '{path}' is not valid: {e.Message}");
        }
    }

    private static Tensor Floats(byte[] bytes, long[] shape, string path)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        if (bytes.Length != count * sizeof(float))
            throw SealedFile.Damaged(path, $"its LSTM state has {bytes.Length / sizeof(float)} values, not {count} (another --batch?)");
        return torch.tensor(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), shape);
    }

    /// <summary>Runs a TorchSharp load; a failure (bytes that passed the checksum but do not fit the model) is bad data.</summary>
    private static void Into(string path, string what, Action load)
    {
        try { load(); }
        catch (Exception e) when (e is not InvalidDataException and not IOException)
        {
            throw new InvalidDataException($"the {what} in '{path}' does not fit this model: {e.Message}");
        }
    }
}
