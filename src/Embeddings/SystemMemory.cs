namespace VecLm.Embeddings;

/// <summary>
/// The memory the machine can give now, for the checks that refuse a job too large for it before anything is
/// allocated (a vectors file's table, a training run: <c>TrainingMemory</c>).
/// </summary>
public static class SystemMemory
{
    /// <summary>Bytes available now: MemAvailable from /proc/meminfo (capped by the runtime's limit, a container's), else that limit.</summary>
    public static long Available()
    {
        long limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)
                    && long.TryParse(line["MemAvailable:".Length..].Trim().Split(' ')[0], out long kb))
                    return Math.Min(kb * 1024, limit);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return limit;
    }

    /// <summary>
    /// Refuses a table of <paramref name="bytes"/> for <paramref name="what"/> when the machine has less available:
    /// one line saying both figures.
    /// </summary>
    public static void Check(long bytes, string what, long? available = null)
    {
        long have = available ?? Available();
        if (bytes > have)
            throw new BadInputException($"{what} needs about {Gb(bytes)} of memory, and {Gb(have)} is available");
    }

    public static string Gb(long bytes) => $"{bytes / 1e9:0.0} GB";
}
