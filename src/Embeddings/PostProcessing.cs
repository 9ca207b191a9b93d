using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace VecLm.Embeddings;

/// <summary>How word vectors are post-processed before they serve as regression targets.</summary>
public enum PostProcessingKind { Raw, Center, Abtt }

/// <summary>
/// A post-processing of word vectors, as the user names it (<c>raw</c>, <c>center</c>, <c>abtt</c>, <c>abtt:D</c>):
/// <list type="bullet">
/// <item><c>raw</c>: each vector scaled to unit length.</item>
/// <item><c>center</c>: unit rows, their mean subtracted, then unit length again. Raw skip-gram vectors from a small
/// corpus share one large common direction (two random words have a mean cosine of about 0.85), which makes plain
/// cosine regression collapse onto a few frequent words; removing the mean removes it.</item>
/// <item><c>abtt:D</c>, "all-but-the-top" (Mu &amp; Viswanath, ICLR 2018): as <c>center</c>, and the projections on the
/// top D principal directions of the centred rows are removed too before renormalising (D = 2 by default).</item>
/// </list>
/// <see cref="Fit"/> computes the mean and directions from a set of vectors; the <see cref="PostProcessor"/> it
/// returns applies them to any vector the same way, and is what a model folder records.
/// </summary>
public sealed record PostProcessing(PostProcessingKind Kind, int Directions = 0)
{
    public const int DefaultDirections = 2;

    public static PostProcessing Raw { get; } = new(PostProcessingKind.Raw);
    public static PostProcessing Center { get; } = new(PostProcessingKind.Center);

    /// <summary>Parses <c>raw</c>, <c>center</c>, <c>abtt</c> or <c>abtt:D</c> (D ≥ 1); anything else is an ArgumentException.</summary>
    public static PostProcessing Parse(string spec)
    {
        string text = spec.Trim().ToLowerInvariant();
        if (text == "raw") return Raw;
        if (text == "center") return Center;
        if (text == "abtt") return new(PostProcessingKind.Abtt, DefaultDirections);
        if (text.StartsWith("abtt:", StringComparison.Ordinal)
            && int.TryParse(text[5..], NumberStyles.None, CultureInfo.InvariantCulture, out int d) && d >= 1)
            return new(PostProcessingKind.Abtt, d);
        throw new BadInputException($"--targets: '{spec}' is not raw, center, abtt or abtt:D (D ≥ 1)");
    }

    public override string ToString() => Kind switch
    {
        PostProcessingKind.Raw => "raw",
        PostProcessingKind.Center => "center",
        _ => $"abtt:{Directions}",
    };

    /// <summary>The mean (and, for abtt, the top principal directions) of <paramref name="vectors"/>' unit rows.</summary>
    public PostProcessor Fit(WordVectors vectors)
    {
        int dim = vectors.Dim;
        if (Kind == PostProcessingKind.Abtt && Directions >= dim)
            throw new BadInputException($"--targets abtt:{Directions}: the vectors have only {dim} dimensions");
        var unit = vectors.Normalized();
        var mean = new double[dim];
        if (Kind == PostProcessingKind.Raw) return new PostProcessor(ToString(), new float[dim], []);
        for (int i = 0; i < unit.Count; i++)
        {
            var row = unit[i];
            for (int j = 0; j < dim; j++) mean[j] += row[j];
        }
        for (int j = 0; j < dim; j++) mean[j] /= unit.Count;
        var directions = Kind == PostProcessingKind.Abtt ? TopDirections(unit, mean, Directions) : [];
        return new PostProcessor(ToString(), mean.Select(x => (float)x).ToArray(), directions);
    }

    /// <summary>The top <paramref name="count"/> eigenvectors of the centred rows' covariance matrix.</summary>
    private static float[][] TopDirections(WordVectors unit, double[] mean, int count)
    {
        int dim = unit.Dim;
        var covariance = new double[dim * dim];
        var centred = new double[dim];
        for (int i = 0; i < unit.Count; i++)
        {
            var row = unit[i];
            for (int j = 0; j < dim; j++) centred[j] = row[j] - mean[j];
            for (int a = 0; a < dim; a++)
                for (int b = a; b < dim; b++)
                    covariance[a * dim + b] += centred[a] * centred[b];
        }
        for (int a = 0; a < dim; a++)
            for (int b = a; b < dim; b++)
            {
                covariance[a * dim + b] /= unit.Count;
                covariance[b * dim + a] = covariance[a * dim + b];
            }
        var (_, vectors) = SymmetricEigen.Decompose(covariance, dim);
        return vectors.Take(count).Select(v => v.Select(x => (float)x).ToArray()).ToArray();
    }
}

/// <summary>
/// A fitted <see cref="PostProcessing"/>: for a vector x, u = x/‖x‖ − mean, then u −= Σᵢ (dᵢ·u) dᵢ over the
/// directions dᵢ, then u/‖u‖. Saved as JSON (<c>targets.json</c> in a model folder) so decoding uses exactly the
/// transform training used.
/// </summary>
public sealed record PostProcessor(
    [property: JsonPropertyName("targets")] string Spec,
    [property: JsonPropertyName("mean")] float[] Mean,
    [property: JsonPropertyName("directions")] float[][] Directions)
{
    public int Dim => Mean.Length;

    /// <summary>Post-processes every row of <paramref name="vectors"/> into a new matrix of unit rows.</summary>
    public float[] Apply(WordVectors vectors)
    {
        if (vectors.Dim != Dim)
            throw new InvalidDataException($"the post-processing is for dimension {Dim}, the vectors have {vectors.Dim}");
        var data = (float[])vectors.Data.Clone();
        for (int i = 0; i < vectors.Count; i++) ApplyInPlace(data.AsSpan(i * Dim, Dim));
        return data;
    }

    /// <summary>Post-processes one vector in place (a zero vector stays zero).</summary>
    public void ApplyInPlace(Span<float> x)
    {
        VectorMath.Normalize(x);
        for (int j = 0; j < x.Length; j++) x[j] -= Mean[j];
        foreach (var d in Directions) Simd.Axpy(-Simd.Dot(d, x), d, x);
        VectorMath.Normalize(x);
    }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public void Save(string path) =>
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, this, Json));

    public static PostProcessor Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"target post-processing not found: {path}", path);
        PostProcessor? p;
        try
        {
            p = JsonSerializer.Deserialize<PostProcessor>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid target post-processing: {e.Message}");
        }
        if (p?.Mean is null || p.Directions is null || p.Spec is null
            || p.Directions.Any(d => d is null || d.Length != p.Mean.Length))
            throw new InvalidDataException($"'{path}' is not a valid target post-processing (missing or ragged fields)");
        PostProcessing.Parse(p.Spec);
        return p;
    }
}
