namespace VecLm.Decoder;

/// <summary>
/// The plain scalar reference for <see cref="ExactIndex"/>'s blocked kernels: row by row, one
/// <see cref="BlockKernel.DotSequential"/> per pair, plus the bias, then a full sort (highest score first, ties by
/// smaller id). Slow and obviously right; the tests hold every kernel width to it.
/// </summary>
internal static unsafe class ExactReference
{
    /// <summary>
    /// The k best rows of each query among <paramref name="unitRows"/> (row-major, already normalised), as
    /// <see cref="ExactIndex.SearchBatch(ReadOnlySpan{float}, int, int, ReadOnlySpan{float})"/> returns them.
    /// </summary>
    public static Neighbor[][] Search(ReadOnlySpan<float> unitRows, int dim, ReadOnlySpan<float> queries, int k,
                                            ReadOnlySpan<float> bias)
    {
        var all = Scores(unitRows, dim, queries, bias, out var cosines);
        int count = unitRows.Length / dim, n = queries.Length / dim;
        var results = new Neighbor[n][];
        for (int i = 0; i < n; i++)
        {
            var row = new Neighbor[count];
            for (int w = 0; w < count; w++) row[w] = new Neighbor(w, cosines[i * count + w], all[i * count + w]);
            Array.Sort(row, (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Id.CompareTo(b.Id));
            results[i] = row[..Math.Min(k, count)];
        }
        return results;
    }

    /// <summary>
    /// Every score, <c>scores[i·count + w] = cos(query i, row w) + bias[w]</c> (no bias when empty), as
    /// <see cref="ExactIndex.ScoreAll"/> writes them; <paramref name="cosines"/> without the bias.
    /// </summary>
    public static float[] Scores(ReadOnlySpan<float> unitRows, int dim, ReadOnlySpan<float> queries,
                                 ReadOnlySpan<float> bias, out float[] cosines)
    {
        int count = unitRows.Length / dim, n = queries.Length / dim;
        var unit = DotProduct.Normalized(queries, dim);
        var scores = new float[n * count];
        cosines = new float[n * count];
        fixed (float* rows = unitRows)
        fixed (float* q = unit)
        {
            for (int i = 0; i < n; i++)
                for (int w = 0; w < count; w++)
                {
                    float cosine = BlockKernel.DotSequential(q + i * dim, rows + w * dim, dim);
                    cosines[i * count + w] = cosine;
                    scores[i * count + w] = bias.IsEmpty ? cosine : cosine + bias[w];
                }
        }
        return scores;
    }
}
