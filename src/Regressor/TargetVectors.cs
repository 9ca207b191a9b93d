using VecLm.Decoder;
using VecLm.Embeddings;
using static TorchSharp.torch;

namespace VecLm.Regressor;

/// <summary>
/// The vectors the regression heads are trained to predict and decoded against: one row per vocabulary id, in a
/// tensor of [|V|, m], each row the word's vector after the model's target post-processing (<see cref="PostProcessor"/>:
/// raw unit rows, centred, or all-but-the-top) — unit length in every case. Kept apart from the input embeddings,
/// which stay the raw vectors.
/// </summary>
public sealed class TargetVectors : IDisposable
{
    private readonly Lazy<ExactIndex> index;

    private TargetVectors(Tensor matrix, PostProcessor processor)
    {
        Matrix = matrix;
        Processor = processor;
        index = new Lazy<ExactIndex>(() => new ExactIndex(ToArray(), Dim));
    }

    /// <summary>[|V|, m], unit rows (a zero row stays zero), no gradient.</summary>
    public Tensor Matrix { get; }
    public int Count => (int)Matrix.shape[0];
    public int Dim => (int)Matrix.shape[1];
    /// <summary>The fitted post-processing the rows were made with (saved as the model folder's targets.json).</summary>
    public PostProcessor Processor { get; }
    /// <summary>The vectors post-processed by <paramref name="processor"/>.</summary>
    public static TargetVectors Create(WordVectors vectors, PostProcessor processor)
    {
        return FromRows(processor.Apply(vectors), vectors.Dim, processor);
    }

    /// <summary>Rows already post-processed by <paramref name="processor"/> (row-major, <paramref name="dim"/> wide).</summary>
    internal static TargetVectors FromRows(float[] rows, int dim, PostProcessor processor)
    {
        // One block copy (TorchSharp's tensor(float[], rows, cols) takes a slower path through IList).
        var matrix = empty(rows.Length / dim, dim, float32);
        rows.AsSpan().CopyTo(TensorMemory.Of<float>(matrix));
        matrix.requires_grad = false;
        return new TargetVectors(matrix, processor);
    }

    /// <summary>Rows of the matrix for the given ids: [N] → [N, m].</summary>
    public Tensor Rows(Tensor ids) => Matrix.index_select(0, ids);

    /// <summary>
    /// Exact search over these rows, built on first use: the one targets index of a model, shared by training-time
    /// validation, the max-margin loss, decoding and scoring.
    /// </summary>
    public ExactIndex Index => index.Value;

    /// <summary>
    /// The rows as one row-major array, for an <c>IVectorIndex</c>: one block copy of the (contiguous) matrix.
    /// TorchSharp's <c>data&lt;float&gt;().ToArray()</c> walks it element by element, about a second at 1M × 64.
    /// </summary>
    public float[] ToArray()
    {
        var rows = GC.AllocateUninitializedArray<float>(checked(Count * Dim));
        using var dense = Matrix.contiguous();
        TensorMemory.Of<float>(dense).CopyTo(rows);
        return rows;
    }

    public void Dispose() => Matrix.Dispose();
}
