using System.Net.Http.Json;
using System.Text;

namespace VecLm.Serving.Tests;

/// <summary>Everything a client controls is bounded: a bad request is a 4xx with a one-line JSON error, never a trace.</summary>
public class BadRequestTests(ServedModels served) : IClassFixture<ServedModels>
{
    [Theory]
    [InlineData("{\"context\": \"the\", \"k\": 0}", 400, "k must be")]
    [InlineData("{\"context\": \"the\", \"k\": 1000}", 400, "k must be")]
    [InlineData("{\"context\": \"the\", \"rule\": \"nearest\"}", 400, "rule must be")]
    [InlineData("{\"context\": \"the\", \"rule\": \"cosine\", \"beta\": 1}", 400, "beta goes with")]
    [InlineData("{\"context\": \"the\", \"beta\": -1}", 400, "beta must be")]
    [InlineData("{\"context\": \"the\", ", 400, "not the JSON")]
    [InlineData("{\"context\": 12}", 400, "not the JSON")]
    [InlineData("[1, 2]", 400, "not the JSON")]
    [InlineData("", 400, "body is missing")]
    public async Task PredictRefusesWithAJsonError(string body, int status, string says)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await served.Client.PostAsync("/api/predict", content);
        await AssertError(response, status, says);
    }

    [Theory]
    [InlineData("{\"n\": 0}", "n must be")]
    [InlineData("{\"n\": 100000}", "n must be")]
    [InlineData("{\"temperature\": -1}", "temperature must be")]
    [InlineData("{\"temperature\": 1e9}", "temperature must be")]
    [InlineData("{\"topP\": 0}", "topP must be")]
    public async Task GenerateRefusesWithAJsonError(string body, string says)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await served.Client.PostAsync("/api/generate", content);
        await AssertError(response, 400, says);
    }

    [Fact]
    public async Task ALongContextIsRefused()
    {
        using var response = await served.Client.PostAsJsonAsync("/api/predict", new { context = string.Join(' ', Enumerable.Repeat("the cat", 1_000)) });
        await AssertError(response, 400, "at most");
    }

    [Fact]
    public async Task TooManyTokensAreRefused()
    {
        using var response = await served.Client.PostAsJsonAsync("/api/predict", new { context = string.Join(' ', Enumerable.Repeat("a", 1_000)) });
        await AssertError(response, 400, "tokens");
    }

    [Fact]
    public async Task ABodyTooLargeIsRefusedBeforeItIsRead()
    {
        using var content = new StringContent("{\"context\": \"" + new string('a', 64 * 1024) + "\"}", Encoding.UTF8, "application/json");
        using var response = await served.Client.PostAsync("/api/predict", content);
        await AssertError(response, 413, "too large");
    }

    [Fact]
    public async Task ABodyThatIsNotJsonIsRefused()
    {
        using var content = new StringContent("context=the", Encoding.UTF8, "text/plain");
        using var response = await served.Client.PostAsync("/api/predict", content);
        await AssertError(response, 415, "as JSON");
    }

    [Theory]
    [InlineData("/api/neighbors", 400, "word is missing")]
    [InlineData("/api/neighbors?word=cat&k=0", 400, "k must be")]
    [InlineData("/api/neighbors?word=cat&k=many", 400, "k")]
    [InlineData("/api/nothing", 404, "no such endpoint")]
    public async Task GetsRefuseWithAJsonError(string path, int status, string says)
    {
        using var response = await served.Client.GetAsync(path);
        await AssertError(response, status, says);
    }

    [Fact]
    public async Task AWrongMethodIsRefused()
    {
        using var response = await served.Client.GetAsync("/api/predict");
        await AssertError(response, 405, "takes POST");
    }

    [Fact]
    public async Task AContextOfUnknownWordsIsAnsweredPerModel()
    {
        var (status, body) = await served.Post("/api/predict", new { context = "zebra giraffe" });
        Assert.Equal(200, status);
        Assert.All(body.GetProperty("models").EnumerateArray(), m => Assert.Contains("no word the model knows", m.GetProperty("error").GetString()));
    }

    private static async Task AssertError(HttpResponseMessage response, int status, string says)
    {
        var body = await ServedModels.Json(response);
        Assert.Equal(status, (int)response.StatusCode);
        var error = body.GetProperty("error").GetString()!;
        Assert.Contains(says, error);
        Assert.DoesNotContain('\n', error);
    }
}
