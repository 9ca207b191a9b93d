using TorchSharp;

namespace VecLm.Regressor;

/// <summary>
/// TorchSharp <see cref="Scalar"/>s that live as long as the process. A number used with a tensor (<c>1 - cos</c>,
/// <c>masked_fill(mask, -∞)</c>) is converted to a <see cref="Scalar"/> that nothing disposes: the garbage collector
/// finalises it, and it may do so while LibTorch is still reading it — the sampled loss died that way after 800 steps
/// of a 60-minute run ("Expected false to be true … toFloat", a freed Scalar's tag; dotnet/TorchSharp#1434). Every
/// number that meets a tensor in a training step is a Scalar held here, by its loss, or by a <c>using</c> for the
/// length of the call.
/// </summary>
internal static class Scalars
{
    public static readonly Scalar One = 1.0.ToScalar();
    public static readonly Scalar NegativeInfinity = float.NegativeInfinity.ToScalar();
}
