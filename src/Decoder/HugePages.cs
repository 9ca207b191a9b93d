using System.Runtime.InteropServices;

namespace VecLm.Decoder;

/// <summary>
/// Backs a large table that a search reads at random (HNSW's vectors and links) with 2 MB pages where Linux allows it.
/// A search at a million words touches a few hundred random nodes of a 256 MB vector table and a 260 MB link table:
/// with 4 KB pages nearly every touch also misses the TLB (a page walk), with 2 MB pages the tables fit in it. The
/// machine's transparent huge pages are "madvise" (only regions that ask get them), so the table asks
/// (MADV_HUGEPAGE) and has its pages, already written, collapsed now (MADV_COLLAPSE, Linux 6.1+). Anywhere this is
/// refused (another OS, an older kernel, THP off) nothing changes but the speed.
/// </summary>
internal static unsafe partial class HugePages
{
    private const int MadvHugepage = 14;
    private const int MadvCollapse = 25;
    private const long Size = 2 << 20;
    /// <summary>Tables smaller than this stay as they are (they fit in the TLB anyway).</summary>
    private const long MinBytes = 64L << 20;

    /// <summary>Asks for 2 MB pages for the whole 2 MB-aligned part of [p, p + bytes).</summary>
    public static void Advise(void* p, long bytes)
    {
        if (bytes < MinBytes || !OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("VECLM_NO_HUGEPAGES") == "1")
            return;
        long start = ((long)p + Size - 1) & ~(Size - 1);
        long end = ((long)p + bytes) & ~(Size - 1);
        if (end <= start) return;
        try
        {
            if (Madvise((void*)start, (nuint)(end - start), MadvHugepage) == 0)
                Madvise((void*)start, (nuint)(end - start), MadvCollapse);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(void* address, nuint length, int advice);
}
