using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using VecLm.Embeddings;

namespace VecLm.Serving;

/// <summary>Where <c>veclm serve</c> listens: 127.0.0.1 unless told otherwise; port 0 picks a free one.</summary>
public sealed record ServeOptions(string Host = "127.0.0.1", int Port = 5000);

/// <summary>
/// The web server of <c>veclm serve</c> (ASP.NET Core minimal API on Kestrel): the JSON endpoints
/// (<see cref="Endpoints"/>), the page (<see cref="Page"/>) and the OpenAPI description at <c>/openapi/v1.json</c>.
/// Every failure a client can cause is a JSON <see cref="ApiError"/> with a 4xx status, never a stack trace; a bug
/// is a 500 that names itself, and one line on stderr. Signals are the caller's: <see cref="RunAsync"/> stops when
/// its token is cancelled (the host's own Ctrl+C handling is off).
/// </summary>
public static class ServeApp
{
    public static WebApplication Build(ModelSet models, ServeOptions options)
    {
        var address = Endpoint(options).Address;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            EnvironmentName = Environments.Production,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, CallerLifetime>();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = models.Limits.MaxBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            kestrel.Listen(address, options.Port);
        });
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            o.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;   // words as they are
        });
        builder.Services.AddOpenApi();
        builder.Services.AddSingleton(models);

        var app = builder.Build();
        app.Use(ErrorsAsJson);
        Endpoints.Map(app, models);
        app.MapOpenApi();
        Page.Map(app);
        return app;
    }

    /// <summary>
    /// Starts <paramref name="app"/>, calls <paramref name="ready"/> with the address it listens on, and serves until
    /// <paramref name="stop"/> is cancelled; requests in flight get 5 seconds to finish.
    /// </summary>
    public static async Task RunAsync(WebApplication app, Action<string> ready, CancellationToken stop)
    {
        try { await app.StartAsync(stop); }
        catch (IOException e) when (e.InnerException is AddressInUseException
                                    || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            throw new BadInputException($"cannot listen: the address is in use ({OneLine(e.Message)}): choose another --port");
        }
        ready(ServerAddresses(app).FirstOrDefault() ?? "(unknown address)");
        try { await Task.Delay(Timeout.Infinite, stop); }
        catch (OperationCanceledException) { }
        await app.StopAsync(TimeSpan.FromSeconds(5));
        await app.DisposeAsync();
    }

    /// <summary>
    /// A bad --host or --port, or a port another program holds, as a <see cref="BadInputException"/> now (the server
    /// binds it again when it starts: a program that takes it in between is still reported then).
    /// </summary>
    public static void CheckPortIsFree(ServeOptions options)
    {
        var (address, port) = Endpoint(options);
        if (port == 0) return;
        using var probe = new System.Net.Sockets.Socket(address.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        probe.SetSocketOption(System.Net.Sockets.SocketOptionLevel.Socket, System.Net.Sockets.SocketOptionName.ReuseAddress, true);   // as Kestrel binds
        try { probe.Bind(new IPEndPoint(address, port)); }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new BadInputException($"cannot listen on {options.Host}:{options.Port}: {e.Message} (choose another --port)");
        }
    }

    private static IEnumerable<string> ServerAddresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];

    /// <summary>The address and port <paramref name="options"/> name, checked (a <see cref="BadInputException"/> otherwise).</summary>
    private static (IPAddress Address, int Port) Endpoint(ServeOptions options) =>
        options.Port is >= 0 and <= 65535 ? (Address(options.Host), options.Port)
        : throw new BadInputException($"--port must be 0 to 65535 (got {options.Port})");

    /// <summary>An IP address, <c>localhost</c> (127.0.0.1), or <c>*</c> (every interface, IPv4).</summary>
    public static IPAddress Address(string host) => host switch
    {
        "localhost" => IPAddress.Loopback,
        "*" => IPAddress.Any,
        _ when IPAddress.TryParse(host, out var ip) => ip,
        _ => throw new BadInputException($"--host must be an IP address, localhost or * (got '{host}')"),
    };

    private static async Task ErrorsAsJson(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
            // A status set without a body (a body Kestrel cut off at its limit, a wrong method): still a JSON error.
            if (context.Response.StatusCode >= 400 && !context.Response.HasStarted && context.Response.ContentLength is null or 0)
                await Error(context, context.Response.StatusCode, StatusMessage(context));
        }
        catch (ApiRequestException e)
        {
            await Error(context, StatusCodes.Status400BadRequest, e.Message);
        }
        catch (BadHttpRequestException e)
        {
            await Error(context, e.StatusCode, BadRequestMessage(e));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // the client went away
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"veclm: error: {context.Request.Method} {context.Request.Path}: {e.GetType().Name}: {OneLine(e.Message)}");
            await Error(context, StatusCodes.Status500InternalServerError, $"internal error, please report it: {e.GetType().Name}: {OneLine(e.Message)}");
        }
    }

    private static string BadRequestMessage(BadHttpRequestException e) => e switch
    {
        { StatusCode: StatusCodes.Status413PayloadTooLarge } => TooLarge,
        { StatusCode: StatusCodes.Status415UnsupportedMediaType } => "send the body as JSON (Content-Type: application/json)",
        { InnerException: JsonException json } => $"the body is not the JSON this endpoint takes: {OneLine(json.Message)}",
        _ when e.Message.Contains("no body was provided", StringComparison.Ordinal) => "the body is missing: send a JSON object",
        _ => OneLine(e.Message),
    };

    private static string StatusMessage(HttpContext context) => context.Response.StatusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => TooLarge,
        StatusCodes.Status405MethodNotAllowed => $"{context.Request.Method} is not how {context.Request.Path} is called (see /openapi/v1.json)",
        StatusCodes.Status404NotFound => $"nothing at {context.Request.Path}",
        var status => $"the request was refused (HTTP {status})",
    };

    private const string TooLarge = "the body is too large (a request body of JSON holds a context of a few thousand characters at most)";

    private static async Task Error(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted) return;
        context.Response.Clear();
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(new ApiError(message));
    }

    private static string OneLine(string text) => VectorFile.OneLine(text.ReplaceLineEndings(" "));

    /// <summary>No console lifetime: the caller owns Ctrl+C and SIGTERM and stops the server through a token.</summary>
    private sealed class CallerLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
