using System.Text;

namespace VecLm.Embeddings;

/// <summary>
/// The one way VecLm writes a file: into a temporary file in the same folder, flushed to disk, then renamed over the
/// target only when it is complete, so a reader sees the old file or the new one, never half of one. A failed write
/// (a full disk, a read-only folder) deletes its temporary file, leaves the target as it was and throws an
/// <see cref="IOException"/> whose one-line message names the target and the reason. <see cref="WriteAll"/> writes
/// files that belong together (vectors and their counts, a report and its plots): every one is complete on disk
/// before any is renamed, so a full disk leaves all of the old ones.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through a stream (the writer may dispose it).</summary>
    public static void Write(string path, Action<Stream> write) => WriteAll((path, write));

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark.</summary>
    public static void WriteText(string path, string text) =>
        Write(path, stream => stream.Write(new UTF8Encoding(false).GetBytes(text)));

    /// <summary>Writes several files, each through a stream: all temporary files first, then the renames.</summary>
    public static void WriteAll(params (string Path, Action<Stream> Write)[] files) =>
        WriteAllVia(files.Select(f => (f.Path, (Action<string>)(temp =>
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                f.Write(stream);
        }))).ToArray());

    /// <summary>
    /// For writers that take a file name rather than a stream (TorchSharp's <c>save</c>): <paramref name="write"/>
    /// writes the temporary file it is given, which is then renamed to <paramref name="path"/>.
    /// </summary>
    public static void WriteVia(string path, Action<string> write) => WriteAllVia((path, write));

    private static void WriteAllVia(params (string Path, Action<string> Write)[] files)
    {
        var targets = files.Select(f => Path.GetFullPath(f.Path)).ToArray();
        foreach (var full in targets)
        {
            string dir = Path.GetDirectoryName(full)!;
            if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"output folder does not exist: {dir}");
        }
        var temps = targets.Select(TempFor).ToArray();
        int step = 0;
        try
        {
            for (; step < files.Length; step++)
            {
                files[step].Write(temps[step]);
                FlushToDisk(temps[step]);
            }
            for (step = 0; step < files.Length; step++) File.Move(temps[step], targets[step], overwrite: true);
        }
        catch (Exception e)
        {
            foreach (var temp in temps)
                try { File.Delete(temp); } catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
            if (e is IOException and not (FileNotFoundException or DirectoryNotFoundException) or UnauthorizedAccessException)
                throw new IOException($"cannot write {targets[Math.Min(step, targets.Length - 1)]}: {Reason(e, temps)}", e);
            throw;
        }
    }

    /// <summary>A hidden name beside the target, unique to this process and write.</summary>
    private static string TempFor(string full) =>
        Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");

    /// <summary>fsync: a delayed-allocation file system may report a full disk only now, before the rename.</summary>
    private static void FlushToDisk(string temp)
    {
        using var stream = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>The operating system's reason without the temporary file's name (the message names the target).</summary>
    private static string Reason(Exception e, string[] temps)
    {
        string message = e.Message;
        foreach (var temp in temps) message = message.Replace($" : '{temp}'", "").Replace($"'{temp}'", "the file").Replace(temp, "the file");
        return message.TrimEnd('.', ' ');
    }
}
