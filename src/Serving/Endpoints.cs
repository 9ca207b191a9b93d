using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace VecLm.Serving;

/// <summary>The JSON API: each endpoint one call on the <see cref="ModelSet"/>.</summary>
public static class Endpoints
{
    public static void Map(IEndpointRouteBuilder app, ModelSet models)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/models", () => models.Info())
           .WithSummary("The models served: name, loss, targets, decoding rule, vocabulary size.");
        api.MapPost("/predict", (PredictRequest request) => models.Predict(request))
           .WithSummary("Every model's top-k next words after a context (decoded neighbours with score and cosine, or softmax probabilities), the words they share, where each put the true next word, and a 2-D picture.");
        api.MapPost("/generate", (GenerateRequest request) => models.Generate(request))
           .WithSummary("Every model's continuation of a context: n tokens sampled with temperature and top-p (seeded: reproducible).");
        api.MapGet("/neighbors", (string? word, int? k) => models.Neighbors(word, k))
           .WithSummary("The nearest words of a word by cosine in each model's vectors.");
        api.MapFallback(Unmatched);
    }

    private static readonly Dictionary<string, string> Methods = new(StringComparer.OrdinalIgnoreCase)
    {
        ["/api/models"] = "GET", ["/api/predict"] = "POST", ["/api/generate"] = "POST", ["/api/neighbors"] = "GET",
    };

    /// <summary>A request no endpoint took: a wrong method (405), a POST whose body is not JSON (415), or no such path (404).</summary>
    private static IResult Unmatched(HttpContext context)
    {
        var request = context.Request;
        if (!Methods.TryGetValue(request.Path.Value?.TrimEnd('/') ?? "", out var method))
            return Results.Json(new ApiError($"no such endpoint: {request.Method} {request.Path} (see /openapi/v1.json)"), statusCode: StatusCodes.Status404NotFound);
        if (!HttpMethods.Equals(request.Method, method))
            return Results.Json(new ApiError($"{request.Path} takes {method}, not {request.Method}"), statusCode: StatusCodes.Status405MethodNotAllowed);
        return Results.Json(new ApiError($"send the body as JSON (Content-Type: application/json), not {request.ContentType ?? "no content type"}"),
                            statusCode: StatusCodes.Status415UnsupportedMediaType);
    }
}
