using System.Collections.Concurrent;
using VecLm.Decoder;
using VecLm.Regressor;

namespace VecLm.Serving;

/// <summary>
/// The models a server answers with, by name (a folder's name; a second folder of the same name gets "-2"), and what
/// the API does across them: every model's prediction with the words two or more models share marked, every
/// model's continuation, a word's neighbours in each model's vectors (one exact index per vectors file, built on
/// first use).
/// </summary>
public sealed class ModelSet : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<ExactIndex>> vectorIndexes = new();

    public ModelSet(IReadOnlyList<ServedModel> models, ApiLimits limits)
    {
        if (models.Count == 0) throw new ArgumentException("no models to serve");
        Models = models;
        Limits = limits;
    }

    public IReadOnlyList<ServedModel> Models { get; }
    public ApiLimits Limits { get; }

    /// <summary>
    /// Loads each model folder (with <paramref name="vectors"/>, else each one's own; reading text as it records, or
    /// as <paramref name="tokenize"/> says for a model that records nothing), lets <paramref name="configure"/> set how
    /// it decodes, and names it.
    /// </summary>
    public static ModelSet Load(IReadOnlyList<string> folders, string? vectors, ApiLimits limits, Action<string>? loaded = null,
                                Action<TrainedModel>? configure = null, Embeddings.TokenizerOptions? tokenize = null)
    {
        var models = new List<ServedModel>();
        try
        {
            foreach (var folder in folders)
            {
                string stem = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))), name = stem;
                for (int i = 2; models.Any(m => m.Name == name); i++) name = $"{stem}-{i}";
                var model = TrainedModel.Load(folder, vectors, tokenize);
                configure?.Invoke(model);
                models.Add(new ServedModel(name, model, limits));
                loaded?.Invoke(name);
            }
        }
        catch
        {
            foreach (var m in models) m.Dispose();
            throw;
        }
        return new ModelSet(models, limits);
    }

    public IReadOnlyList<ModelInfo> Info() => Models.Select(m => m.Info).ToList();

    public async Task<PredictResponse> Predict(PredictRequest request)
    {
        string context = Limits.Context(request.Context);
        int k = Limits.K(request.K);
        var (kind, beta) = Limits.Rule(request.Rule, request.Beta);
        string? next = Limits.Word(request.Next, "next", required: false);
        var answers = await Task.WhenAll(Models.Select(m => m.Predict(context, k, kind, beta, next)));
        var seen = answers.SelectMany(a => a.Words.Select(w => w.Word).Distinct()).CountBy(w => w)
            .Where(c => c.Value > 1).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        return new PredictResponse(answers.Select(a => a with
        {
            Words = a.Words.Select(w => w with { Shared = seen.Contains(w.Word) }).ToList(),
        }).ToList());
    }

    public GenerateResponse Generate(GenerateRequest request)
    {
        string context = Limits.Context(request.Context);
        int n = Limits.N(request.N);
        double temperature = Limits.Temperature(request.Temperature);
        double topP = ApiLimits.TopP(request.TopP);
        return new GenerateResponse(Models.Select(m => m.Generate(context, n, temperature, topP, request.Seed)).ToList());
    }

    public NeighborsResponse Neighbors(string? word, int? k)
    {
        string w = Limits.Word(word, "word", required: true)!;
        int count = Limits.K(k);
        return new NeighborsResponse(w, Models.Select(m => m.Neighbors(w, count, VectorIndex(m.Model))).ToList());
    }

    private ExactIndex VectorIndex(TrainedModel model) =>
        vectorIndexes.GetOrAdd(model.VectorsPath, _ => new Lazy<ExactIndex>(
            () => new ExactIndex(model.Vectors.Data, model.Vectors.Dim) { Threads = 1 })).Value;

    public void Dispose()
    {
        foreach (var m in Models) m.Dispose();
    }
}
