namespace VecLm.Decoder.Tests;

/// <summary>
/// A large random-access table asks Linux for 2 MB pages (<see cref="HugePages"/>): where transparent huge pages are
/// on or on request, the process then really holds huge pages, and the table's values are untouched either way.
/// </summary>
public class HugePagesTests
{
    [Fact]
    public unsafe void ALargeTableGetsHugePagesAndKeepsItsValues()
    {
        var table = GC.AllocateUninitializedArray<float>(24 << 20, pinned: true);    // 96 MB
        for (int i = 0; i < table.Length; i++) table[i] = i * 0.5f;
        long before = AnonHugeKb();
        fixed (float* p = table) HugePages.Advise(p, (long)table.Length * sizeof(float));
        for (int i = 0; i < table.Length; i += 4093) Assert.Equal(i * 0.5f, table[i]);
        Assert.Equal((table.Length - 1) * 0.5f, table[^1]);
        string mode = File.Exists(ThpPath) ? File.ReadAllText(ThpPath) : "";
        if (OperatingSystem.IsLinux() && (mode.Contains("[madvise]") || mode.Contains("[always]")))
            Assert.True(AnonHugeKb() - before >= 32 << 10, $"huge pages {before} kB → {AnonHugeKb()} kB (THP: {mode.Trim()})");
        GC.KeepAlive(table);
    }

    private const string ThpPath = "/sys/kernel/mm/transparent_hugepage/enabled";

    private static long AnonHugeKb()
    {
        if (!File.Exists("/proc/self/smaps_rollup")) return 0;
        var line = File.ReadLines("/proc/self/smaps_rollup").FirstOrDefault(l => l.StartsWith("AnonHugePages:"));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }
}
