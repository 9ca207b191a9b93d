using System.Runtime;

namespace VecLm.Regressor;

/// <summary>
/// Runs TorchSharp code whose temporary <see cref="TorchSharp.Scalar"/>s we cannot hold (<see cref="Scalars"/>) with the
/// garbage collector held off, so none of them can be finalised while LibTorch still reads it. TorchSharp's
/// <c>Adam.step</c> turns β₁, β₂, 1 − β and the step size into Scalars that nothing disposes
/// (<c>exp_avg.mul_(beta1)</c>…); one freed mid-call failed a CI run in <c>mul_</c> with "Unknown scalar type"
/// (2026-12-03, CheckpointTests, the AVX2 pass). A step allocates a few kilobytes of managed objects; when the region
/// cannot be had (or the budget runs out), the work runs anyway, as before.
/// </summary>
internal static class NoCollection
{
    private const long Budget = 1L << 20;

    public static void Run(Action work)
    {
        bool held = false;
        try { held = GCSettings.LatencyMode != GCLatencyMode.NoGCRegion && GC.TryStartNoGCRegion(Budget); }
        catch (InvalidOperationException) { }
        try { work(); }
        finally
        {
            if (held && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        }
    }
}
