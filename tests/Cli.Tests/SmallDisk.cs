using System.Diagnostics;

namespace VecLm.Cli.Tests;

/// <summary>
/// A real, tiny file system for the failure tests: a tmpfs of a few kilobytes mounted on a fresh folder (root only,
/// as in this project's CI), which can be filled up or remounted read-only; unmounted and deleted when disposed.
/// Where mounting is not permitted, <see cref="TryMount"/> says why, and the test reports itself skipped with that
/// reason rather than passing without having run.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private SmallDisk(string path) => Path = path;

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Mounts a tmpfs of <paramref name="kilobytes"/> KiB; null and the reason when that is not possible here.</summary>
    public static SmallDisk? TryMount(int kilobytes, out string reason)
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "veclm-disk-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={kilobytes}k,mode=0755", "tmpfs", path);
        if (code != 0)
        {
            Directory.Delete(path);
            reason = $"cannot mount a {kilobytes} KiB tmpfs here (mount exited {code}: {output.Trim()}); run the tests as root "
                     + "(as CI does) to test a full disk and a read-only folder";
            return null;
        }
        reason = "";
        return new SmallDisk(path);
    }

    /// <summary>Remounts the file system read-only: root's writes fail too (EROFS), unlike with chmod.</summary>
    public void MakeReadOnly()
    {
        var (code, output) = Run("mount", "-o", "remount,ro", Path);
        Assert.True(code == 0, $"remount read-only failed: {output}");
        Assert.ThrowsAny<IOException>(() => System.IO.File.WriteAllText(File(".probe"), "x"));
    }

    /// <summary>The names in the folder, hidden ones (temporary files) included, sorted.</summary>
    public string[] Names() => Directory.GetFileSystemEntries(Path).Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    public void Dispose()
    {
        var (code, _) = Run("umount", Path);
        if (code != 0) Run("umount", "-l", Path);
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }

    /// <summary>Runs a mount helper; (-1, reason) where the program is missing.</summary>
    internal static (int Code, string Output) Run(string file, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
