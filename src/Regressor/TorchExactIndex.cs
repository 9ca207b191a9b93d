using VecLm.Decoder;
using static TorchSharp.torch;

namespace VecLm.Regressor;

/// <summary>
/// An exact cosine <see cref="IVectorIndex"/> over a <see cref="TargetVectors"/> matrix, searched by one matrix
/// product per batch of queries (LibTorch's GEMM) and <c>topk</c>. The stand-in until the Decoder's exact index
/// is merged; it answers the same contract (most similar first, ties by smaller id).
/// </summary>
public sealed class TorchExactIndex(TargetVectors targets) : IVectorIndex
{
    public int Count => targets.Count;
    public int Dim => targets.Dim;

    public Neighbor[] Search(ReadOnlySpan<float> query, int k) => SearchBatch(query, k)[0];

    public Neighbor[][] SearchBatch(ReadOnlySpan<float> queries, int k)
    {
        if (queries.Length % Dim != 0) throw new ArgumentException($"{queries.Length} values are not rows of {Dim}");
        int n = queries.Length / Dim;
        k = Math.Min(k, Count);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var q = nn.functional.normalize(tensor(queries.ToArray(), n, Dim), p: 2, dim: 1);
        var similarity = q.matmul(targets.Matrix.t());                      // [n, V]
        // topk does not promise an order among equal values; take one more and settle ties by id below.
        var (values, indexes) = similarity.topk(Math.Min(k + 1, Count), dim: 1, largest: true, sorted: true);
        var v = values.data<float>().ToArray();
        var ix = indexes.data<long>().ToArray();
        int width = (int)values.shape[1];
        var result = new Neighbor[n][];
        for (int i = 0; i < n; i++)
        {
            var row = new Neighbor[width];
            for (int j = 0; j < width; j++) row[j] = new Neighbor((int)ix[i * width + j], v[i * width + j]);
            Array.Sort(row, (a, b) => a.Similarity != b.Similarity ? b.Similarity.CompareTo(a.Similarity) : a.Id.CompareTo(b.Id));
            result[i] = row[..k];
        }
        return result;
    }
}
