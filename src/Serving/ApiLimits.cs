using VecLm.Decoder;

namespace VecLm.Serving;

/// <summary>A request the API refuses: answered 400 with its message as an <see cref="ApiError"/>.</summary>
public sealed class ApiRequestException(string message) : Exception(message);

/// <summary>
/// Bounds on everything a client controls, so one request cannot take the server's memory or cores: body size,
/// context length (characters and tokens), k, n, the sampler's knobs, β. Checked before any model work.
/// </summary>
public sealed record ApiLimits
{
    public int MaxBodyBytes { get; init; } = 16 * 1024;
    public int MaxContextChars { get; init; } = 4_000;
    /// <summary>Tokens of context a model reads (the LSTM's cost grows with them).</summary>
    public int MaxContextTokens { get; init; } = 400;
    public int MaxK { get; init; } = 100;
    public int MaxGenerate { get; init; } = 200;
    public int MaxWordChars { get; init; } = 200;
    public double MaxTemperature { get; init; } = 10;
    public double MaxBeta { get; init; } = 100;

    public static ApiLimits Default { get; } = new();

    public string Context(string? context)
    {
        context ??= "";
        if (context.Length > MaxContextChars)
            throw new ApiRequestException($"context is {context.Length:N0} characters; at most {MaxContextChars:N0}");
        return context;
    }

    public int K(int? k)
    {
        int value = k ?? 10;
        if (value < 1 || value > MaxK) throw new ApiRequestException($"k must be 1 to {MaxK} (got {value})");
        return value;
    }

    public int N(int? n)
    {
        int value = n ?? 20;
        if (value < 1 || value > MaxGenerate) throw new ApiRequestException($"n must be 1 to {MaxGenerate} (got {value})");
        return value;
    }

    public double Temperature(double? t)
    {
        double value = t ?? 1.0;
        if (!(value >= 0 && value <= MaxTemperature)) throw new ApiRequestException($"temperature must be 0 to {MaxTemperature} (got {value})");
        return value;
    }

    public static double TopP(double? p)
    {
        double value = p ?? 0.9;
        if (!(value > 0 && value <= 1)) throw new ApiRequestException($"topP must be above 0 and at most 1 (got {value})");
        return value;
    }

    public string? Word(string? word, string name, bool required)
    {
        if (string.IsNullOrWhiteSpace(word))
            return required ? throw new ApiRequestException($"{name} is missing: give a word") : null;
        if (word.Length > MaxWordChars) throw new ApiRequestException($"{name} is {word.Length:N0} characters; at most {MaxWordChars}");
        return word.Trim();
    }

    /// <summary>The decoding rule a request names (null: each model's default), and β, checked against the rule.</summary>
    public (RuleKind? Kind, double? Beta) Rule(string? rule, double? beta)
    {
        RuleKind? kind = rule?.ToLowerInvariant() switch
        {
            null or "" or "default" => null,
            "cosine" => RuleKind.Cosine,
            "prior" => RuleKind.Prior,
            "posterior" => RuleKind.Posterior,
            "csls" => RuleKind.Csls,
            _ => throw new ApiRequestException($"rule must be cosine, prior, posterior or csls (got '{Excerpt(rule)}')"),
        };
        if (beta is { } b && !(b >= 0 && b <= MaxBeta)) throw new ApiRequestException($"beta must be 0 to {MaxBeta} (got {b})");
        if (beta is not null && kind is RuleKind.Cosine or RuleKind.Csls)
            throw new ApiRequestException($"beta goes with the prior or posterior rule, not {rule}");
        return (kind, beta);
    }

    private static string Excerpt(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
