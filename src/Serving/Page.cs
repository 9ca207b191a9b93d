using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace VecLm.Serving;

/// <summary>
/// The side-by-side page (<c>Page/</c>: plain HTML, JS and CSS embedded in the assembly, nothing fetched from
/// elsewhere, so it works offline). <c>/?context=…</c> opens it with that context typed and answered.
/// </summary>
public static class Page
{
    private static readonly (string Route, string Resource, string Type)[] Files =
    [
        ("/", "page/index.html", "text/html; charset=utf-8"),
        ("/app.js", "page/app.js", "text/javascript; charset=utf-8"),
        ("/style.css", "page/style.css", "text/css; charset=utf-8"),
    ];

    public static void Map(IEndpointRouteBuilder app)
    {
        foreach (var (route, resource, type) in Files)
        {
            var bytes = Read(resource);
            app.MapGet(route, (HttpContext context) =>
            {
                context.Response.Headers.CacheControl = "no-cache";
                return Results.Bytes(bytes, type);
            }).ExcludeFromDescription();
        }
    }

    /// <summary>An embedded file of the page.</summary>
    public static byte[] Read(string resource)
    {
        using var stream = typeof(Page).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"the page's {resource} is not in the assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
