using System.Collections.Concurrent;
using VecLm.Decoder;
using VecLm.Embeddings;
using VecLm.Regressor;
using VecLm.Regressor.Generation;

namespace VecLm.Serving;

/// <summary>
/// A model the server answers with, shared read-only by every request: each request's context is its own stream (read
/// in a batch with the requests that arrive with it, <see cref="OutputBatcher"/>; a continuation in its own
/// <see cref="ModelSession"/>), and decodes through a <see cref="RuleDecoder"/> (thread-safe) kept per rule. The HNSW index a regression head decodes through, when it uses one, is loaded here,
/// before the first request.
/// </summary>
public sealed class ServedModel : IDisposable
{
    private readonly TrainedModel model;
    private readonly Generator generator;
    private readonly ConcurrentDictionary<RuleKind, RuleDecoder> decoders = new();
    private readonly RuleDecoder? defaultDecoder;
    private readonly ApiLimits limits;
    private readonly OutputBatcher batcher;

    public ServedModel(string name, TrainedModel model, ApiLimits limits)
    {
        Name = name;
        this.model = model;
        this.limits = limits;
        generator = new Generator(model);
        batcher = new OutputBatcher(model);
        if (model.Config.IsRegression)
        {
            if (model.UsesHnsw) _ = model.HnswTargets;
            defaultDecoder = model.DecoderFor(model.Rule);
        }
    }

    public string Name { get; }
    public TrainedModel Model => model;
    private bool Regression => model.Config.IsRegression;

    public ModelInfo Info => new(Name, model.Config.Loss.ToString().ToLowerInvariant(), Regression ? model.Config.Targets : "softmax",
        Regression ? model.Rule.Name : null, model.Config.VocabSize, model.Config.EmbeddingDim,
        !Regression ? "softmax" : model.UsesHnsw ? "hnsw" : "exact",
        model.Tokenizer is { } t ? (t.Lowercase ? "tokenize, lowercase" : "tokenize") : "white space");

    /// <summary>The context as this model reads it; an empty one is a sentence start. Null when it has no word the model knows.</summary>
    public Prompt? Read(string context, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(context))
        {
            int eos = model.Vectors.Vocabulary.EndOfSentenceId;
            return new Prompt([], [eos], []);
        }
        try
        {
            var prompt = generator.Encode(context);
            if (prompt.Words.Count > limits.MaxContextTokens)
                throw new ApiRequestException($"context is {prompt.Words.Count:N0} tokens for {Name}; at most {limits.MaxContextTokens:N0}");
            return prompt;
        }
        catch (BadInputException e)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>The <paramref name="k"/> best next words after <paramref name="context"/>, with the true next word's place.</summary>
    public async Task<ModelPrediction> Predict(string context, int k, RuleKind? kind, double? beta, string? next)
    {
        string loss = model.Config.Loss.ToString().ToLowerInvariant();
        var prompt = Read(context, out var error);
        if (prompt is null) return new ModelPrediction(Name, loss, "", [], [], [], null, [], error);
        var decoder = Regression ? DecoderOf(kind, beta) : null;
        var output = await batcher.OutputAfter(prompt.Ids);
        Neighbor[] ranked = decoder is not null ? decoder.Decode(output, Math.Min(k, model.DecodeCount)) : model.Rank(output, k);
        var words = ranked.Select(n => Regression
            ? new PredictedWord(model.WordOf(n.Id), n.Score, n.Cosine, null)
            : new PredictedWord(model.WordOf(n.Id), n.Score, null, n.Score)).ToList();
        var check = next is null ? null : Check(next, output, decoder, ranked);
        string scoreName = decoder is not null ? decoder.Rule.Name : "probability";
        return new ModelPrediction(Name, loss, scoreName, prompt.Words, prompt.Unknown, words, check, Picture(output, ranked));
    }

    /// <summary><paramref name="n"/> tokens after the context, sampled as <c>veclm generate</c> does (default rule).</summary>
    public ModelGeneration Generate(string context, int n, double temperature, double topP, int? seed)
    {
        var prompt = Read(context, out var error);
        if (prompt is null) return new ModelGeneration(Name, "", [], error);
        var ids = generator.Generate(prompt.Ids, n, new Sampler(temperature, topP, seed));
        var tokens = generator.Words(ids).ToList();
        return new ModelGeneration(Name, Generator.Text(tokens), tokens);
    }

    /// <summary>The nearest words of <paramref name="word"/> by cosine among this model's vectors (itself left out).</summary>
    public WordNeighbors Neighbors(string word, int k, ExactIndex vectors)
    {
        if (!model.Vectors.Vocabulary.TryGetId(word, out int id)) return new WordNeighbors(Name, false, []);
        var hits = vectors.Search(vectors.Vector(id), Math.Min(k + 1, vectors.Count));
        var list = hits.Where(h => h.Id != id).Take(k)
            .Select(h => new PredictedWord(model.Vectors.Vocabulary[h.Id], h.Cosine, h.Cosine, null)).ToList();
        return new WordNeighbors(Name, true, list);
    }

    private RuleDecoder DecoderOf(RuleKind? kind, double? beta)
    {
        if (kind is null && beta is null) return defaultDecoder!;
        DecodingRule rule;
        try { rule = model.RuleFor(kind, beta); }
        catch (InvalidDataException) { throw new ApiRequestException($"{Name} has no fitted prior (it was trained without --valid): use rule cosine or csls"); }
        // One decoder per rule kind with its fitted β is kept; a β of the client's own is used for this request only.
        return beta is null ? decoders.GetOrAdd(rule.Kind, _ => model.DecoderFor(rule)) : model.DecoderFor(rule);
    }

    /// <summary>
    /// Where the model put <paramref name="word"/> (the first token of it, as the model reads text): its rank among all
    /// words scored exactly under the rule in use (1 + the words scored above it), its cosine or probability.
    /// </summary>
    private NextWordCheck Check(string word, float[] output, RuleDecoder? decoder, Neighbor[] shown)
    {
        var token = Read(word, out _) is { Words.Count: > 0 } p ? p.Words[0] : word;
        int id = Regression && model.DecodeVocabulary is { } d ? d.Vectors.Vocabulary.IdOrUnknown(token) : model.Vectors.Vocabulary.IdOrUnknown(token);
        bool known = id >= 0 && model.WordOf(id) == token;
        if (!known) return new NextWordCheck(token, false, null, null, null, false);
        bool inTop = shown.Any(n => n.Id == id);
        var (rank, value) = model.RankOf(output, id, decoder?.Rule);
        return Regression ? new NextWordCheck(token, true, rank, value, null, inTop) : new NextWordCheck(token, true, rank, null, value, inTop);
    }

    /// <summary>A regression head: the predicted vector and its neighbours' target vectors; softmax: the top words' vectors.</summary>
    private IReadOnlyList<PlotPoint> Picture(float[] output, Neighbor[] ranked)
    {
        var vectors = new List<float[]>();
        var labels = new List<(string Label, string Kind)>();
        if (Regression)
        {
            var unit = (float[])output.Clone();
            VectorMath.Normalize(unit);
            vectors.Add(unit);
            labels.Add(("prediction", "predicted"));
            foreach (var n in ranked)
            {
                vectors.Add(model.ExactTargets!.Vector(n.Id).ToArray());
                labels.Add((model.WordOf(n.Id), "word"));
            }
        }
        else
        {
            foreach (var n in ranked)
            {
                var v = model.Vectors[n.Id].ToArray();
                VectorMath.Normalize(v);
                vectors.Add(v);
                labels.Add((model.WordOf(n.Id), "word"));
            }
        }
        var xy = Projection.Pca(vectors);
        return xy.Select((p, i) => new PlotPoint(labels[i].Label, Math.Round(p.X, 4), Math.Round(p.Y, 4), labels[i].Kind)).ToList();
    }

    public void Dispose()
    {
        batcher.Dispose();
        model.Dispose();
    }
}
