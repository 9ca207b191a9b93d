using System.Runtime.InteropServices;

namespace VecLm.Regressor;

/// <summary>
/// Keeps the memory LibTorch frees for its next tensor of that size. glibc's malloc serves a block over its mmap
/// threshold (at most 32 MB) with a fresh mapping and unmaps it when freed, so a training step whose tables are
/// larger (the softmax head's logits: 79 MB at Brown's 17,715 words, 4.5 GB at a million; its weight gradient and
/// Adam's temporaries: 1 GB each at a million) is given new pages every step, and the kernel zeroes every one of them
/// on first touch: a third of a softmax step's time at a million words went to <c>clear_page</c> in a profile
/// (2026-12-03). With mmap off and trimming off (<c>mallopt</c>, as <c>MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=-1</c>
/// would set them), freed blocks stay in the heap and the next step's tensors reuse them, faulted in already. The
/// process keeps its peak; a training run holds that peak in every step anyway. Other systems: nothing is done.
/// </summary>
public static partial class NativeHeap
{
    private const int TrimThreshold = -1, MmapMax = -4;   // glibc's M_TRIM_THRESHOLD, M_MMAP_MAX
    private static int kept;

    /// <summary>Once per process; true when glibc took both settings.</summary>
    internal static bool KeepFreedMemory()
    {
        if (!OperatingSystem.IsLinux()) return false;
        if (Interlocked.Exchange(ref kept, 1) == 1) return true;
        try { return mallopt(MmapMax, 0) == 1 && mallopt(TrimThreshold, -1) == 1; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }   // not glibc
    }

    /// <summary>
    /// Asks LibTorch for 2 MB pages for its tensors of 2 MB and more (its own <c>THP_MEM_ALLOC_ENABLE</c>: 2 MB-aligned
    /// blocks, <c>MADV_HUGEPAGE</c>; this machine's transparent huge pages are "madvise"). A page fault in this VM costs
    /// about 10 µs: the first touch of a million-word softmax step's 4.5 GB logits buffer took 12 s in 4 KB pages.
    /// LibTorch reads the variable once, at its first allocation, from the process environment (not .NET's copy of
    /// it), so the CLI calls this first; a value the user set is kept, and <c>VECLM_NO_HUGEPAGES=1</c> turns it off.
    /// </summary>
    public static void UseHugePages()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("VECLM_NO_HUGEPAGES") == "1") return;
        try { setenv("THP_MEM_ALLOC_ENABLE", "1", 0); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int mallopt(int parameter, int value);
}
