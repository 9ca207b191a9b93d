using System.Diagnostics;
using TorchSharp;

namespace VecLm.Regressor.Tests;

/// <summary>
/// TorchSharp's native library loads from the build output (patched by src/Regressor/build on systems whose
/// libstdc++ lacks GLIBCXX_3.4.32), and the patcher script does exactly its two-byte job.
/// </summary>
public class TorchSharpLoadTests
{
    private const string Version = "GLIBCXX_3.4.32";
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "weaken_version.py");

    [Fact]
    public void TorchSharpLoadsAndComputes()
    {
        using var ones = torch.ones(2, 2);
        Assert.Equal(4f, ones.sum().item<float>());
    }

    [Fact]
    public void PatcherMarksTheRequirementWeakOnceAndOnlyIt()
    {
        using var dir = new TempDir();
        byte[] original = File.ReadAllBytes(OutputLibrary());
        ElfVersionNeeds.ClearWeak(original, Version);
        Assert.Contains(ElfVersionNeeds.Read(original), n => n.Version == Version && (n.Flags & ElfVersionNeeds.Weak) == 0);
        string copy = dir.File("libLibTorchSharp.so");
        File.WriteAllBytes(copy, original);
        var stamp = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(copy, stamp);

        Assert.Contains("patched", RunScript("--always", copy));
        byte[] patched = File.ReadAllBytes(copy);
        Assert.Equal(original.Length, patched.Length);
        int[] changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToArray();
        Assert.Single(changed);
        var needs = ElfVersionNeeds.Read(patched);
        Assert.All(needs, n => Assert.Equal(n.Version == Version, (n.Flags & ElfVersionNeeds.Weak) != 0));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(copy));

        Assert.Contains("already weak", RunScript("--always", copy));
        Assert.Equal(patched, File.ReadAllBytes(copy));
    }

    [Fact]
    public void PatcherLeavesAloneAFileThatNeedsNothingAndASystemThatHasTheVersion()
    {
        using var dir = new TempDir();
        string other = dir.File("libc10.so");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "libc10.so"), other);
        byte[] before = File.ReadAllBytes(other);
        Assert.DoesNotContain(ElfVersionNeeds.Read(before), n => n.Version == Version);
        Assert.Contains("not required", RunScript("--always", other));
        Assert.Equal(before, File.ReadAllBytes(other));

        string library = dir.File("libLibTorchSharp.so");
        byte[] original = File.ReadAllBytes(OutputLibrary());
        ElfVersionNeeds.ClearWeak(original, Version);
        File.WriteAllBytes(library, original);
        string modernLibstdcxx = dir.File("libstdc++.so.6");
        File.WriteAllBytes(modernLibstdcxx, [0, .. "GLIBCXX_3.4.32"u8, 0]);
        Assert.Contains("nothing to do", RunScript("--libstdcxx", modernLibstdcxx, library));
        Assert.Equal(original, File.ReadAllBytes(library));
    }

    [Fact]
    public void PatcherRejectsAFileThatIsNotElf()
    {
        using var dir = new TempDir();
        string text = dir.File("notes.txt");
        File.WriteAllText(text, "not a library");
        var (code, _, error) = Run("--always", text);
        Assert.Equal(1, code);
        Assert.Contains("not an ELF file", error);
    }

    private static string OutputLibrary() => Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so");

    private static string RunScript(params string[] args)
    {
        var (code, output, error) = Run(args);
        Assert.True(code == 0, error);
        return output;
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Script);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd(), error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error);
    }
}
