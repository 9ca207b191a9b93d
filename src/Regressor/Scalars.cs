using TorchSharp;

namespace VecLm.Regressor;

/// <summary>
/// TorchSharp <see cref="Scalar"/>s that live as long as the process. A number used with a tensor (<c>1 - cos</c>,
/// <c>masked_fill(mask, -∞)</c>) is converted to a <see cref="Scalar"/> that nothing disposes: the garbage collector
/// finalises it, and it may do so while LibTorch is still reading it — the sampled loss died that way after 800 steps
/// of a 60-minute run ("Expected false to be true … toFloat", a freed Scalar's tag; dotnet/TorchSharp#1434). Every
/// number that meets a tensor in a training step is a Scalar held here, by its loss, or by a <c>using</c> for the
/// length of the call. TorchSharp also makes Scalars of its own that nothing holds: <c>a + b</c>, <c>a.add(b)</c>,
/// <c>add_(s)</c> and <c>s - a</c> pass a fresh Scalar 1 as α (<c>add(target, 1)</c>), so training code adds with an
/// explicit α (<see cref="Plus(Tensor, Tensor)"/>), and <see cref="Adam"/> holds its own.
/// </summary>
internal static class Scalars
{
    public static readonly Scalar One = 1.0.ToScalar();
    public static readonly Scalar NegativeInfinity = float.NegativeInfinity.ToScalar();

    /// <summary>a + b, with α held (TorchSharp's <c>+</c> makes an unheld Scalar 1).</summary>
    public static torch.Tensor Plus(this torch.Tensor a, torch.Tensor b) => a.add(b, One);

    /// <summary>a + s, with α held.</summary>
    public static torch.Tensor Plus(this torch.Tensor a, Scalar s) => a.add(s, One);

    /// <summary>1 − a, as TorchSharp's <c>1 - a</c> computes it (−a + 1), with both Scalars held.</summary>
    public static torch.Tensor OneMinus(torch.Tensor a)
    {
        var negated = a.negative();
        return negated.add_(One, One);
    }
}
