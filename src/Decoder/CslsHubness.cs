namespace VecLm.Decoder;

/// <summary>
/// The hubness term r_S of CSLS (Conneau et al. 2018, "Word translation without parallel data"): for each word w,
/// the mean cosine between its target vector t(w) and its k nearest vectors among a reference set of predicted
/// vectors. A hub, a word near many predictions, has a high value; <see cref="DecodingRule.Csls"/> subtracts half of
/// it from the word's cosine. Computed exactly: an <see cref="ExactIndex"/> over the references, queried with every
/// target row.
/// </summary>
public static class CslsHubness
{
    /// <summary>
    /// r_S(w) for every word of <paramref name="targets"/>, from <paramref name="references"/> (row-major, any length,
    /// normalised here; typically the model's predictions on held-out text) and k nearest (all references when there
    /// are fewer than k). Spread over <paramref name="threads"/> (−1: all cores).
    /// </summary>
    public static float[] Compute(ExactIndex targets, ReadOnlySpan<float> references, int k = 10, int threads = -1)
    {
        ArgumentNullException.ThrowIfNull(targets);
        int dim = targets.Dim;
        if (k < 1) throw new ArgumentException($"k must be at least 1 (got {k})");
        if (references.Length % dim != 0)
            throw new ArgumentException($"{references.Length} reference values are not rows of the index's dimension {dim}");
        int count = references.Length / dim;
        if (count == 0) throw new ArgumentException("no reference vectors given");
        var index = new ExactIndex(references, dim);
        var hits = index.SearchBatch(targets.UnitVectors, Math.Min(k, count), threads);
        var hubness = new float[targets.Count];
        for (int w = 0; w < hubness.Length; w++)
        {
            double sum = 0;
            foreach (var h in hits[w]) sum += h.Cosine;
            hubness[w] = (float)(sum / hits[w].Length);
        }
        return hubness;
    }
}
