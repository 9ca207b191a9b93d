using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace VecLm.Embeddings;

/// <summary>
/// The vector width a hand-written SIMD kernel runs at, one enum for the whole codebase. Every kernel has the full
/// ladder (Vector512 → Vector256 → Vector128 → scalar), as System.Numerics.Tensors' TensorPrimitives do: a kernel
/// that only had its widest path once ran the softmax baseline at 0.57× on AVX2 machines. A width above
/// <see cref="Scalar"/> also uses every narrower one for what its own vectors cannot cover.
/// </summary>
public enum SimdWidth
{
    /// <summary>One float at a time.</summary>
    Scalar,
    /// <summary>Vector128: 4 floats (SSE, AdvSimd).</summary>
    V128,
    /// <summary>Vector256: 8 floats (AVX2; the Zen 1 machines stop here).</summary>
    V256,
    /// <summary>Vector512: 16 floats (AVX-512).</summary>
    V512,
}

/// <summary>
/// Which <see cref="SimdWidth"/>s this process runs natively. Public kernels run at <see cref="Best"/>; internal
/// overloads take the width so the tests run every kernel at each of <see cref="Supported"/>. CI runs the tests three
/// times (as is, with <c>DOTNET_EnableAVX512=0</c> and with <c>DOTNET_EnableAVX2=0</c>), so every width is the
/// best one in some run, on every machine.
/// </summary>
public static class SimdWidths
{
    /// <summary>
    /// The widest width the JIT accelerates. Built from <c>IsHardwareAccelerated</c>, which the JIT treats as a
    /// constant, so a kernel inlined with it keeps only its widest path.
    /// </summary>
    public static SimdWidth Best
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.IsHardwareAccelerated ? SimdWidth.V512
               : Vector256.IsHardwareAccelerated ? SimdWidth.V256
               : Vector128.IsHardwareAccelerated ? SimdWidth.V128
               : SimdWidth.Scalar;
    }

    /// <summary>Every width this process accelerates, narrowest first: scalar always, then each accelerated vector width.</summary>
    public static IReadOnlyList<SimdWidth> Supported { get; } =
        Enum.GetValues<SimdWidth>().Where(IsAccelerated).ToArray();

    /// <summary>Whether <paramref name="width"/> runs natively here (scalar always does).</summary>
    public static bool IsAccelerated(SimdWidth width) => width switch
    {
        SimdWidth.Scalar => true,
        SimdWidth.V128 => Vector128.IsHardwareAccelerated,
        SimdWidth.V256 => Vector256.IsHardwareAccelerated,
        SimdWidth.V512 => Vector512.IsHardwareAccelerated,
        _ => false,
    };

    /// <summary>Floats per vector of <paramref name="width"/>: 1, 4, 8 or 16.</summary>
    public static int Floats(this SimdWidth width) => width switch
    {
        SimdWidth.V128 => 4,
        SimdWidth.V256 => 8,
        SimdWidth.V512 => 16,
        _ => 1,
    };

    /// <summary>
    /// The widths as a test would list them: "Scalar, V128, V256, V512 (best V512)". Tests print it, so a run's
    /// output shows which paths the machine and the DOTNET_Enable* settings left on.
    /// </summary>
    public static string Describe() => $"{string.Join(", ", Supported)} (best {Best})";
}
