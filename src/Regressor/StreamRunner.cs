using static TorchSharp.torch;

namespace VecLm.Regressor;

/// <summary>
/// Runs a trained model over one long token stream, <see cref="ChunkLength"/> tokens at a time, with the hidden
/// state carried from chunk to chunk (eval mode, no gradient): after position t the model has read ids[0..t].
/// Each chunk's LSTM features, [T, H], are handed to the caller inside the chunk's dispose scope; the caller applies
/// the head (<see cref="RnnModel.Head"/>), so it can time the output layer on its own.
/// </summary>
public static class StreamRunner
{
    public const int ChunkLength = 256;

    public static void Run(TrainedModel model, ReadOnlySpan<int> ids, Action<Tensor, int> onChunk, Action<double>? progress = null)
    {
        var network = model.Network;
        network.eval();
        using var _ = no_grad();
        var hidden = network.InitHidden(1);
        var all = ids.ToArray();
        try
        {
            for (int start = 0; start < all.Length; start += ChunkLength)
            {
                using var scope = NewDisposeScope();
                int length = Math.Min(ChunkLength, all.Length - start);
                var input = tensor(all.AsSpan(start, length).ToArray().Select(i => (long)i).ToArray(), length, 1);  // [T, 1]
                var (features, next) = network.Features(input, hidden);                                           // [T, 1, H]
                onChunk(features.reshape(length, -1), start);                                                     // [T, H]
                hidden.H.Dispose();
                hidden.C.Dispose();
                hidden = (next.H.MoveToOuterDisposeScope(), next.C.MoveToOuterDisposeScope());
                progress?.Invoke((double)(start + length) / all.Length);
            }
        }
        finally
        {
            hidden.H.Dispose();
            hidden.C.Dispose();
        }
    }
}
