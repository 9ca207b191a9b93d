using VecLm.Embeddings;
using static TorchSharp.torch;

namespace VecLm.Regressor;

/// <summary>
/// The vectors the regression heads are trained to predict and decoded against: one row per vocabulary id, in a
/// tensor of [|V|, m]. Kept apart from the input embeddings so the targets can be post-processed (centred,
/// whitened…) without touching the model's input. Now: the raw vectors, each row scaled to unit length.
/// </summary>
public sealed class TargetVectors : IDisposable
{
    private TargetVectors(Tensor matrix, string description)
    {
        Matrix = matrix;
        Description = description;
    }

    /// <summary>[|V|, m], unit rows (a zero row stays zero), no gradient.</summary>
    public Tensor Matrix { get; }
    public int Count => (int)Matrix.shape[0];
    public int Dim => (int)Matrix.shape[1];
    /// <summary>How the rows were made (goes into logs and the model's metrics).</summary>
    public string Description { get; }

    /// <summary>The vectors as they are, unit-normalised.</summary>
    public static TargetVectors UnitRows(WordVectors vectors)
    {
        var normalized = vectors.Normalized();
        var matrix = tensor(normalized.Data, vectors.Count, vectors.Dim);
        matrix.requires_grad = false;
        return new TargetVectors(matrix, "unit");
    }

    /// <summary>Rows of the matrix for the given ids: [N] → [N, m].</summary>
    public Tensor Rows(Tensor ids) => Matrix.index_select(0, ids);

    /// <summary>
    /// The exact cosine index over these rows that decodes predictions for top-1 (the one place that picks it).
    /// </summary>
    public VecLm.Decoder.IVectorIndex ExactIndex() => new VecLm.Decoder.ExactIndex(ToArray(), Dim);

    /// <summary>The rows as one row-major array, for an <c>IVectorIndex</c>.</summary>
    public float[] ToArray() => Matrix.data<float>().ToArray();

    public void Dispose() => Matrix.Dispose();
}
