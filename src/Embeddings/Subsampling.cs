namespace VecLm.Embeddings;

/// <summary>
/// Frequent-word subsampling as in word2vec C: a word of count c out of T tokens is kept with probability
/// <c>(sqrt(c / (s·T)) + 1) · (s·T) / c</c> (capped at 1), where s is the --sample threshold; 0 keeps every word.
/// </summary>
public sealed class Subsampling
{
    private readonly float[] _keep;

    public Subsampling(ReadOnlySpan<long> counts, double sample)
    {
        _keep = new float[counts.Length];
        long total = 0;
        foreach (long c in counts) total += c;
        double threshold = sample * total;
        for (int i = 0; i < counts.Length; i++)
            _keep[i] = sample <= 0 || counts[i] == 0
                ? 1f
                : (float)Math.Min(1.0, (Math.Sqrt(counts[i] / threshold) + 1) * threshold / counts[i]);
    }

    public float KeepProbability(int id) => _keep[id];

    public bool Keep(int id, ref Lcg random)
    {
        float p = _keep[id];
        return p >= 1f || p >= random.NextFloat();
    }
}
