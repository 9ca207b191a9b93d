namespace VecLm.Cli;

/// <summary>Checks an output location before long work starts, so a typo fails in a second rather than after an hour.</summary>
public static class OutputPath
{
    public static void EnsureWritable(string path)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new UsageException($"output path is a folder: {full}");
        string dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir)) throw new UsageException($"output folder does not exist: {dir}");
        string probe = Path.Combine(dir, $".veclm-write-test-{Environment.ProcessId}");
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new UsageException($"cannot write to {dir}: {e.Message}");
        }
    }
}
