using System.Net.Http.Json;
using System.Text.Json;
using VecLm.Decoder;
using VecLm.Regressor.Generation;

namespace VecLm.Serving.Tests;

/// <summary>The JSON endpoints against the library they call: the same words, ranks and neighbours, under concurrency.</summary>
public class ApiTests(ServedModels served) : IClassFixture<ServedModels>
{
    [Fact]
    public async Task ModelsListsEachModelWithItsLossRuleAndVocabulary()
    {
        var (status, body) = await served.Get("/api/models");
        Assert.Equal(200, status);
        var list = body.EnumerateArray().ToList();
        Assert.Equal(["cosine", "softmax"], list.Select(m => m.GetProperty("name").GetString()));
        Assert.Equal("cosine", list[0].GetProperty("loss").GetString());
        Assert.StartsWith("prior", list[0].GetProperty("rule").GetString());   // trained with --valid: the fitted prior
        Assert.Equal("softmax", list[1].GetProperty("loss").GetString());
        Assert.Equal(served.Models.Models[0].Model.Config.VocabSize, list[0].GetProperty("vocabularySize").GetInt32());
    }

    [Theory]
    [InlineData("the cat sat on the")]
    [InlineData("a dog ran")]
    [InlineData("")]
    public async Task PredictGivesEachModelTheWordsPredictGivesAndMarksTheSharedOnes(string context)
    {
        var (status, body) = await served.Post("/api/predict", new { context, k = 5 });
        Assert.Equal(200, status);
        var models = body.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(2, models.Count);
        var lists = new List<List<string>>();
        foreach (var (answer, model) in models.Zip(served.Models.Models))
        {
            var generator = new Generator(model.Model);
            var ids = context == "" ? [model.Model.Vectors.Vocabulary.EndOfSentenceId] : generator.Encode(context).Ids;
            var expected = generator.Predict(ids, 5).Select(n => model.Model.WordOf(n.Id)).ToList();
            var words = answer.GetProperty("words").EnumerateArray().ToList();
            Assert.Equal(expected, words.Select(w => w.GetProperty("word").GetString()));
            lists.Add(expected);
            string value = model.Model.Config.IsRegression ? "cosine" : "probability";
            Assert.All(words, w => Assert.True(w.TryGetProperty(value, out _), $"{model.Name}: no {value} in {w}"));
        }
        var both = lists[0].Intersect(lists[1]).ToHashSet();
        foreach (var answer in models)
            foreach (var w in answer.GetProperty("words").EnumerateArray())
                Assert.Equal(both.Contains(w.GetProperty("word").GetString()!), w.GetProperty("shared").GetBoolean());
    }

    [Fact]
    public async Task TheTrueNextWordIsRankedAmongAllWords()
    {
        // The top word ranks 1; the fifth word ranks 5 and is in a top 5, not in a top 4.
        var (_, five) = await served.Post("/api/predict", new { context = "the cat sat on", k = 5 });
        foreach (var answer in five.GetProperty("models").EnumerateArray())
        {
            var words = answer.GetProperty("words").EnumerateArray().Select(w => w.GetProperty("word").GetString()!).ToList();
            var (_, first) = await served.Post("/api/predict", new { context = "the cat sat on", k = 5, next = words[0] });
            var (_, fifth) = await served.Post("/api/predict", new { context = "the cat sat on", k = 4, next = words[4] });
            string name = answer.GetProperty("name").GetString()!;
            var top = Model(first, name).GetProperty("next");
            Assert.Equal(1, top.GetProperty("rank").GetInt32());
            Assert.True(top.GetProperty("inTop").GetBoolean());
            var low = Model(fifth, name).GetProperty("next");
            Assert.Equal(5, low.GetProperty("rank").GetInt32());
            Assert.False(low.GetProperty("inTop").GetBoolean());
        }
        var (_, unknown) = await served.Post("/api/predict", new { context = "the cat", next = "zebra" });
        Assert.All(unknown.GetProperty("models").EnumerateArray(), a => Assert.False(a.GetProperty("next").GetProperty("known").GetBoolean()));
    }

    [Fact]
    public async Task ARuleOfTheRequestDecodesUnderThatRule()
    {
        var model = served.Models.Models[0].Model;
        var (_, body) = await served.Post("/api/predict", new { context = "my bird", k = 3, rule = "cosine" });
        var answer = Model(body, "cosine");
        Assert.Equal("cosine", answer.GetProperty("scoreName").GetString());
        using var session = new ModelSession(model);
        var output = session.Feed(new Generator(model).Encode("my bird").Ids);
        var expected = model.DecoderFor(DecodingRule.Cosine()).Decode(output, 3).Select(n => model.WordOf(n.Id));
        Assert.Equal(expected, answer.GetProperty("words").EnumerateArray().Select(w => w.GetProperty("word").GetString()));
        Assert.Equal(model.Rule.Name, served.Models.Models[0].Info.Rule);   // the request did not change the model's default
    }

    [Fact]
    public async Task AServerWithTokenizeReadsRawContextsAsTheModelReadsTokens()
    {
        using var raw = ModelSet.Load([served.Folder("cosine")], null, ApiLimits.Default, tokenize: new Embeddings.TokenizerOptions());
        var tokenized = (await raw.Predict(new PredictRequest("the cat,sat", 5))).Models[0];
        Assert.Equal(["the", "cat", ",", "sat"], tokenized.Tokens);
        var spaced = (await served.Models.Predict(new PredictRequest("the cat , sat", 5))).Models[0];
        Assert.Equal(spaced.Words.Select(w => w.Word), tokenized.Words.Select(w => w.Word));
        Assert.Equal("tokenize", raw.Info()[0].Tokenizer);
        Assert.Equal("white space", served.Models.Info()[0].Tokenizer);
    }

    [Fact]
    public async Task TheSameSeedGeneratesTheSameText()
    {
        var request = new { context = "the old man", n = 12, temperature = 1.0, seed = 42 };
        var (status, a) = await served.Post("/api/generate", request);
        var (_, b) = await served.Post("/api/generate", request);
        Assert.Equal(200, status);
        Assert.Equal(a.ToString(), b.ToString());
        foreach (var m in a.GetProperty("models").EnumerateArray())
            Assert.Equal(12, m.GetProperty("tokens").GetArrayLength());
    }

    [Fact]
    public async Task NeighborsAreTheNearestByCosineInTheModelsVectors()
    {
        var (status, body) = await served.Get("/api/neighbors?word=cat&k=4");
        Assert.Equal(200, status);
        var vectors = served.Models.Models[0].Model.Vectors;
        var cat = vectors["cat"].ToArray();
        var expected = Enumerable.Range(0, vectors.Count).Where(i => vectors.Vocabulary[i] != "cat")
            .OrderByDescending(i => Embeddings.VectorMath.Cosine(cat, vectors[i])).Take(4).Select(i => vectors.Vocabulary[i]);
        var first = body.GetProperty("models")[0];
        Assert.True(first.GetProperty("known").GetBoolean());
        Assert.Equal(expected, first.GetProperty("neighbors").EnumerateArray().Select(n => n.GetProperty("word").GetString()));
        var (_, unknown) = await served.Get("/api/neighbors?word=zebra");
        Assert.False(unknown.GetProperty("models")[0].GetProperty("known").GetBoolean());
    }

    /// <summary>
    /// Concurrent contexts are read as one batch (<see cref="OutputBatcher"/>) and each still gets its own answer: the
    /// words it gets alone, in the same order, with the same scores to float rounding (a batch sums in another order).
    /// </summary>
    [Fact]
    public async Task ConcurrentRequestsGetTheAnswersTheyGetAlone()
    {
        string[] contexts = ["the cat", "a dog ran in", "my bird sang", "the old man read", "the", "a dog"];
        var alone = new Dictionary<string, JsonElement>();
        foreach (var c in contexts) alone[c] = (await served.Post("/api/predict", new { context = c, k = 8 })).Body;
        var tasks = Enumerable.Range(0, 48).Select(async i =>
        {
            string c = contexts[i % contexts.Length];
            var (status, body) = await served.Post("/api/predict", new { context = c, k = 8 });
            return (c, status, body);
        }).ToList();
        foreach (var (c, status, body) in await Task.WhenAll(tasks))
        {
            Assert.Equal(200, status);
            foreach (var (got, want) in body.GetProperty("models").EnumerateArray().Zip(alone[c].GetProperty("models").EnumerateArray()))
            {
                var gotWords = got.GetProperty("words").EnumerateArray().ToList();
                var wantWords = want.GetProperty("words").EnumerateArray().ToList();
                Assert.Equal(wantWords.Select(w => w.GetProperty("word").GetString()), gotWords.Select(w => w.GetProperty("word").GetString()));
                foreach (var (g, w) in gotWords.Zip(wantWords))
                    Assert.Equal(w.GetProperty("score").GetDouble(), g.GetProperty("score").GetDouble(), 1e-5);
            }
        }
    }

    [Fact]
    public async Task TheOpenApiDescriptionListsEveryEndpoint()
    {
        var (status, body) = await served.Get("/openapi/v1.json");
        Assert.Equal(200, status);
        var paths = body.GetProperty("paths");
        foreach (var path in new[] { "/api/models", "/api/predict", "/api/generate", "/api/neighbors" })
            Assert.True(paths.TryGetProperty(path, out _), $"no {path} in the OpenAPI description");
    }

    [Fact]
    public async Task ThePageAndItsScriptAreServed()
    {
        var html = await served.Client.GetStringAsync("/");
        Assert.Contains("<script src=\"app.js\">", html);
        var script = await served.Client.GetAsync("/app.js");
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/api/predict", await script.Content.ReadAsStringAsync());
        Assert.StartsWith("http://127.0.0.1:", served.Address);   // the default binds to loopback
    }

    private static JsonElement Model(JsonElement body, string name) =>
        body.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == name);
}
