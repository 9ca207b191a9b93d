namespace VecLm.Cli;

/// <summary>
/// Checks an output location before long work starts, so a typo fails in a second rather than after an hour: a
/// missing folder, or a file that exists without <c>--force</c>, is bad input (exit 2); a folder that cannot be
/// written (read-only, no permission) is a failure of the machine (an <see cref="IOException"/>, exit 1).
/// </summary>
public static class OutputPath
{
    public static void EnsureWritable(string path)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new UsageException($"output path is a folder: {full}");
        string dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir)) throw new UsageException($"output folder does not exist: {dir}");
        Probe(dir, full);
    }

    /// <summary>
    /// As <see cref="EnsureWritable"/> for every path, and none of them may exist unless <paramref name="force"/>
    /// (a command writing a file never replaces one by accident).
    /// </summary>
    public static void EnsureNew(bool force, params string[] paths)
    {
        foreach (var path in paths)
        {
            EnsureWritable(path);
            if (!force && File.Exists(path))
                throw new UsageException($"{Path.GetFullPath(path)} already exists (--force replaces it)");
        }
    }

    /// <summary>
    /// A report folder: a new one, an empty one, or (with <paramref name="force"/>) one holding an earlier report,
    /// never a file; its nearest existing ancestor must be writable.
    /// </summary>
    public static void EnsureReportFolder(string folder, string reportFile, bool force)
    {
        string full = Path.GetFullPath(folder);
        if (File.Exists(full)) throw new UsageException($"the report folder is a file: {full}");
        string report = Path.Combine(full, reportFile);
        if (!force && File.Exists(report))
            throw new UsageException($"{full} already holds a report ({reportFile}; --force replaces it)");
        string existing = full;
        while (!Directory.Exists(existing)) existing = Path.GetDirectoryName(existing)!;
        Probe(existing, existing == full ? report : full);
    }

    /// <summary>Creates and deletes an empty file in <paramref name="dir"/>: read-only or forbidden folders fail here.</summary>
    private static void Probe(string dir, string target)
    {
        string probe = Path.Combine(dir, $".veclm-write-test-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            string reason = e.Message.Replace($" : '{probe}'", "").Replace($"'{probe}'", dir).TrimEnd('.', ' ');
            throw new IOException($"cannot write {target}: {reason}", e);
        }
    }
}
