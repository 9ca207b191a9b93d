using System.Diagnostics;

namespace VecLm.Cli;

/// <summary>
/// Starts the running veclm again as a child process: the published <c>veclm</c> executable itself, or, when veclm
/// runs as <c>dotnet veclm.dll</c> (dotnet run, the tests), the same dotnet host with the same veclm.dll.
/// </summary>
public static class VeclmProcess
{
    /// <summary>The start info of <c>veclm ARGS</c>, stdout and stderr redirected, one thread for BLAS and OpenMP too.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var (file, prefix) = Command();
        var info = new ProcessStartInfo(file)
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = false,
        };
        foreach (var a in prefix.Concat(arguments)) info.ArgumentList.Add(a);
        // --threads 1 sets torch's own pool; the BLAS and OpenMP pools read these (see bench/train).
        foreach (var name in new[] { "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS" }) info.Environment[name] = "1";
        return info;
    }

    /// <summary>The program to start and the arguments that come before veclm's own.</summary>
    public static (string File, IReadOnlyList<string> Prefix) Command()
    {
        string? self = Environment.ProcessPath;
        string dll = typeof(VeclmProcess).Assembly.Location;   // veclm.dll; empty in a single-file bundle
        if (self is not null && Path.GetFileNameWithoutExtension(self).Equals("veclm", StringComparison.OrdinalIgnoreCase))
            return (self, []);
        if (dll.Length == 0) throw new InvalidOperationException($"cannot tell how to start veclm again (running as {self})");
        bool host = self is not null && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        return (host ? self! : "dotnet", [dll]);
    }

    /// <summary>The command line, for logs.</summary>
    public static string Display(ProcessStartInfo info) =>
        string.Join(' ', new[] { info.FileName }.Concat(info.ArgumentList).Select(a => a.Contains(' ') ? $"'{a}'" : a));
}
