using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace VecLm.Cli.Tests;

/// <summary><c>veclm serve</c> end to end: it answers, stops cleanly on a real signal, refuses bad input, and its page renders in Chromium.</summary>
public class ServeCommandTests(TinyModels models) : IClassFixture<TinyModels>
{
    [SkippableTheory]
    [InlineData(15, "SIGTERM")]
    [InlineData(2, "SIGINT")]
    public async Task ItAnswersThenASignalStopsItCleanly(int signal, string name)
    {
        // A shell's background job starts with SIGINT ignored, and veclm inherits that, as it should.
        Skip.If(InterruptTests.IgnoredHere(signal), $"signal {signal} is ignored by the test process (a background job?): veclm inherits that");
        using var serve = ServeProcess.Start(models.Model("cosine"), models.Model("softmax"));
        Assert.StartsWith("http://127.0.0.1:", serve.Address);
        using var client = new HttpClient { BaseAddress = new Uri(serve.Address) };
        var list = await client.GetFromJsonAsync<JsonElement>("/api/models");
        Assert.Equal(["cosine.model", "softmax.model"], list.EnumerateArray().Select(m => m.GetProperty("name").GetString()));
        using var answer = await client.PostAsJsonAsync("/api/predict", new { context = "the cat sat", k = 3 });
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var (exitCode, stderr) = serve.Signal(signal);
        Assert.Equal(0, exitCode);
        Assert.Contains($"stopped ({name})", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void AMissingModelIsAOneLineError() =>
        Veclm.AssertCleanError(Veclm.Run("serve", models.Missing, "--port", "0"), 2, "missing.model");

    [Fact]
    public void ABadHostIsAOneLineError() =>
        Veclm.AssertCleanError(Veclm.Run("serve", models.Model("cosine"), "--host", "example", "--port", "0"), 2, "--host");

    [Fact]
    public void APortInUseIsAOneLineError()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        Veclm.AssertCleanError(Veclm.Run("serve", models.Model("cosine"), "--port", port.ToString()), 2, "--port");
    }

    /// <summary>
    /// Debian's Chromium, headless, opens the page with a context in its address: the rendered DOM holds both models'
    /// columns with their words. Skipped, saying why, where Chromium is not installed (.ci/run installs it).
    /// </summary>
    [SkippableFact]
    public void ThePageRendersBothModelsColumnsInChromium()
    {
        string? chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);
        Skip.If(chromium is null, "Chromium is not installed (apt-get install chromium); .ci/run installs it");
        using var serve = ServeProcess.Start(models.Model("cosine"), models.Model("softmax"));
        var dom = Chromium.DumpDom(chromium!, $"{serve.Address}/?context=the+cat+sat");
        foreach (var name in new[] { "cosine.model", "softmax.model" })
        {
            int at = dom.IndexOf($"data-model=\"{name}\"", StringComparison.Ordinal);
            Assert.True(at >= 0, $"no column for {name} in the page:\n{dom}");
            Assert.Contains("data-word=", dom[at..]);
        }
        Assert.Contains("class=\"model softmax\"", dom);
        Assert.Contains("class=\"model regression\"", dom);
        Assert.Contains("after “the cat sat”", dom);

        // &next= types the word that came next: each column says where its model ranked it.
        var check = Chromium.DumpDom(chromium!, $"{serve.Address}/?context=the+cat&next=sat");
        Assert.Equal(2, check.Split("data-next=\"sat\"").Length - 1);
        Assert.Contains("checking “sat”", check);

        // &generate=1 presses Generate: a continuation from each model, greedy at temperature 0.
        var generated = Chromium.DumpDom(chromium!, $"{serve.Address}/?context=the+cat&temperature=0&generate=1");
        foreach (var name in new[] { "cosine.model", "softmax.model" })
            Assert.Contains($"class=\"gen\" data-model=\"{name}\"><b>{name}</b>the cat ⟶ ", generated);
    }
}

/// <summary>Headless Chromium from the command line: the DOM of a page after its scripts ran.</summary>
public static class Chromium
{
    public static string DumpDom(string chromium, string url)
    {
        var start = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage",
                                  $"--user-data-dir={Path.Combine(Path.GetTempPath(), "veclm-chromium-" + Guid.NewGuid().ToString("N"))}",
                                  "--virtual-time-budget=10000", "--dump-dom", url })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"chromium did not finish: {stderr.Result}");
        }
        Assert.True(process.ExitCode == 0, $"chromium exited {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }
}
