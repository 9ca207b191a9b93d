using System.Runtime.Intrinsics;
using Xunit.Abstractions;

namespace VecLm.Embeddings.Tests;

/// <summary>
/// The width list every kernel test runs over, and the DOTNET_Enable* settings CI uses to narrow it: a setting the
/// runtime ignores (as .NET 10 ignores the old <c>DOTNET_EnableAVX512F</c>) would silently leave the narrower paths
/// untested, so the run that sets one checks that it took.
/// </summary>
public class SimdWidthTests(ITestOutputHelper output)
{
    [Fact]
    public void SupportedListsScalarThenEachAcceleratedWidthAndBestIsTheWidest()
    {
        output.WriteLine($"SIMD widths: {SimdWidths.Describe()}; Vector512 {Vector512.IsHardwareAccelerated}, "
                         + $"Vector256 {Vector256.IsHardwareAccelerated}, Vector128 {Vector128.IsHardwareAccelerated}");
        var supported = SimdWidths.Supported;
        Assert.Equal(SimdWidth.Scalar, supported[0]);
        Assert.Equal(supported.Order(), supported);
        Assert.Equal(SimdWidths.Best, supported[^1]);
        Assert.Equal(Vector512.IsHardwareAccelerated, supported.Contains(SimdWidth.V512));
        Assert.Equal(Vector256.IsHardwareAccelerated, supported.Contains(SimdWidth.V256));
        Assert.Equal(Vector128.IsHardwareAccelerated, supported.Contains(SimdWidth.V128));
        Assert.Equal([1, 4, 8, 16], Enum.GetValues<SimdWidth>().Select(w => w.Floats()));
    }

    [Fact]
    public void TheEnvironmentSettingsCiUsesReallyNarrowTheWidths()
    {
        bool noAvx512 = Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0";
        bool noAvx2 = Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0";
        output.WriteLine($"DOTNET_EnableAVX512=0: {noAvx512}, DOTNET_EnableAVX2=0: {noAvx2}; best width {SimdWidths.Best}");
        if (noAvx512 || noAvx2) Assert.DoesNotContain(SimdWidth.V512, SimdWidths.Supported);
        if (noAvx2) Assert.DoesNotContain(SimdWidth.V256, SimdWidths.Supported);
    }
}
