using System.Text;

namespace VecLm.Embeddings;

/// <summary>
/// The one way VecLm writes a file: into a temporary file in the same folder, renamed over the target only when it
/// is complete, so a reader sees the old file or the new one, never half of one. A failed write deletes its
/// temporary file and leaves the target as it was.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through a stream (the writer may dispose it).</summary>
    public static void Write(string path, Action<Stream> write) => WriteVia(path, temp =>
    {
        using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        write(stream);
    });

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark.</summary>
    public static void WriteText(string path, string text) =>
        Write(path, stream => stream.Write(new UTF8Encoding(false).GetBytes(text)));

    /// <summary>
    /// For writers that take a file name rather than a stream (TorchSharp's <c>save</c>): <paramref name="write"/>
    /// writes the temporary file it is given, which is then renamed to <paramref name="path"/>.
    /// </summary>
    public static void WriteVia(string path, Action<string> write)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"output folder does not exist: {dir}");
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            write(temp);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }
}
