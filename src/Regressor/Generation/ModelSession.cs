using static TorchSharp.torch;

namespace VecLm.Regressor.Generation;

/// <summary>
/// A trained model reading one token stream a piece at a time, as a language model is used for prediction and
/// generation: the LSTM's hidden state is kept between calls to <see cref="Feed"/>, so feeding a prompt and then
/// one generated token after another is the same as reading the whole text at once. Eval mode, no gradient; every
/// call runs in its own dispose scope and only the hidden state (owned by the session) outlives it.
/// </summary>
public sealed class ModelSession : IDisposable
{
    private readonly TrainedModel model;
    private Tensor h;   // [L, 1, H]
    private Tensor c;   // [L, 1, H]
    private bool disposed;

    public ModelSession(TrainedModel model)
    {
        this.model = model;
        model.Network.eval();
        (h, c) = model.Network.InitHidden(1);
        h.DetachFromDisposeScope();
        c.DetachFromDisposeScope();
    }

    public TrainedModel Model => model;

    /// <summary>Tokens read since the session started.</summary>
    public int Length { get; private set; }

    /// <summary>
    /// Reads <paramref name="ids"/> after everything read before and returns the head's output after the last of
    /// them (a regression head's predicted vector, or a softmax head's logits): one row of
    /// <see cref="ModelConfig.OutputSize"/> values, ready for <see cref="TrainedModel.Rank"/>.
    /// </summary>
    public float[] Feed(ReadOnlySpan<int> ids)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        model.CheckTokens(ids);
        var tokens = new long[ids.Length];
        for (int i = 0; i < ids.Length; i++) tokens[i] = ids[i];
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var input = tensor(tokens, tokens.Length, 1);                              // [T, 1]
        // The head reads the last position only: for a softmax head over 17,715 words the other positions' logits
        // were most of a prompt's cost (8 tokens: 7.1 → 1.7 ms a prediction).
        var (features, next) = model.Network.Features(input, (h, c));             // [T, 1, H]
        var last = model.Network.Head(features[tokens.Length - 1]).reshape(-1).data<float>().ToArray();  // [out]
        h.Dispose();
        c.Dispose();
        h = next.H.DetachFromDisposeScope();
        c = next.C.DetachFromDisposeScope();
        Length += tokens.Length;
        return last;
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        h.Dispose();
        c.Dispose();
    }
}
