using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using VecLm.Embeddings;
using VecLm.Regressor;

namespace VecLm.Serving.Tests;

/// <summary>
/// Two tiny models trained for the tests (a cosine head with a fitted prior, a softmax head, on the same vectors), served
/// on a free port of 127.0.0.1 by the real Kestrel server for the whole class, with a client for it.
/// </summary>
public sealed class ServedModels : IAsyncLifetime
{
    public static readonly string[] Sentences =
    [
        "the cat sat on the mat",
        "a dog ran in the park",
        "my bird sang a song",
        "the old man read his paper",
    ];

    private readonly string dir = Path.Combine(Path.GetTempPath(), "veclm-serving-" + Guid.NewGuid().ToString("N"));
    private WebApplication? app;
    private CancellationTokenSource stop = new();
    private Task? running;

    public ModelSet Models { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public string Address { get; private set; } = "";
    public string Folder(string name) => Path.Combine(dir, name);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(dir);
        var random = new Random(1);
        File.WriteAllLines(Folder("train.txt"), Enumerable.Range(0, 160).Select(_ => Sentences[random.Next(Sentences.Length)]));
        File.WriteAllLines(Folder("valid.txt"), Enumerable.Range(0, 20).Select(_ => Sentences[random.Next(Sentences.Length)]));
        Vectors().Save(Folder("vectors.bin"));
        foreach (var loss in new[] { LossKind.Cosine, LossKind.Softmax })
        {
            using var trainer = new Trainer(new TrainOptions
            {
                TrainPath = Folder("train.txt"), VectorsPath = Folder("vectors.bin"), OutputDir = Folder(loss.ToString().ToLowerInvariant()),
                ValidPath = Folder("valid.txt"), Loss = loss, Hidden = 32, Layers = 2, Dropout = 0, Bptt = 8, Batch = 4, Epochs = 100,
                LearningRate = 1e-2, Threads = 1, Seed = 1, MaxSteps = 60,
            });
            trainer.Train();
        }
        Models = ModelSet.Load([Folder("cosine"), Folder("softmax")], null, ApiLimits.Default);
        app = ServeApp.Build(Models, new ServeOptions(Port: 0));
        var ready = new TaskCompletionSource<string>();
        running = ServeApp.RunAsync(app, url => ready.SetResult(url), stop.Token);
        Address = await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Client = new HttpClient { BaseAddress = new Uri(Address) };
    }

    /// <summary>Random unit-ish vectors for &lt;/s&gt;, &lt;unk&gt; and every word of the sentences, dimension 16.</summary>
    private static WordVectors Vectors()
    {
        var words = new List<string> { Vocabulary.EndOfSentence, Vocabulary.Unknown };
        words.AddRange(Sentences.SelectMany(s => s.Split(' ')).Distinct(StringComparer.Ordinal));
        var random = new Random(7);
        var data = Enumerable.Range(0, words.Count * 16).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        return new WordVectors(new Vocabulary(words, words.Select((_, i) => (long)(words.Count - i)).ToArray()), 16, data);
    }

    public async Task<(int Status, JsonElement Body)> Post(string path, object body)
    {
        using var response = await Client.PostAsJsonAsync(path, body);
        return ((int)response.StatusCode, await Json(response));
    }

    public async Task<(int Status, JsonElement Body)> Get(string path)
    {
        using var response = await Client.GetAsync(path);
        return ((int)response.StatusCode, await Json(response));
    }

    public static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/json", $"{(int)response.StatusCode}, not JSON: {text}");
        Assert.DoesNotContain("   at ", text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task DisposeAsync()
    {
        stop.Cancel();
        if (running is not null) await running;
        Client?.Dispose();
        Models?.Dispose();
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }
}
