using VecLm.Embeddings;
namespace VecLm.Regressor.Generation;

/// <summary>
/// Picks the next word among candidates given their logits (log-weights at temperature 1): probabilities
/// softmax(logits / T), cut to the nucleus (Holtzman et al. 2020: the smallest set of most likely candidates whose
/// probability reaches top-p), renormalised, then one draw from a seeded <see cref="Random"/>. T = 0 is greedy: the
/// candidate with the highest logit, no randomness. The sampler knows nothing of heads: the caller turns a softmax
/// head's probabilities into logits by their log, a regression head's cosines are used as they are.
/// </summary>
public sealed class Sampler
{
    private readonly Random random;

    /// <param name="seed">null: a different sequence every run.</param>
    public Sampler(double temperature = 1.0, double topP = 1.0, int? seed = null)
    {
        if (!(temperature >= 0) || !double.IsFinite(temperature))
            throw new BadInputException($"--temperature must be 0 (greedy) or positive (got {temperature})");
        if (!(topP > 0 && topP <= 1)) throw new BadInputException($"--top-p must be in (0, 1] (got {topP})");
        Temperature = temperature;
        TopP = topP;
        random = seed is { } s ? new Random(s) : new Random();
    }

    public double Temperature { get; }
    public double TopP { get; }
    public bool Greedy => Temperature == 0;

    /// <summary>The index of the chosen candidate.</summary>
    public int Next(ReadOnlySpan<double> logits)
    {
        if (Greedy) return ArgMax(logits);
        var p = Distribution(logits);
        double u = random.NextDouble(), sum = 0;
        int last = 0;
        for (int i = 0; i < p.Length; i++)
        {
            if (p[i] <= 0) continue;
            sum += p[i];
            last = i;
            if (u < sum) return i;
        }
        return last;   // u within rounding of 1
    }

    /// <summary>
    /// The probability of each candidate after the temperature and the nucleus cut (0 outside the nucleus); sums to
    /// 1. Greedy: 1 for the highest logit (the first of equal ones).
    /// </summary>
    public double[] Distribution(ReadOnlySpan<double> logits)
    {
        if (logits.IsEmpty) throw new ArgumentException("no candidates to sample from");
        var p = new double[logits.Length];
        int best = ArgMax(logits);
        if (Greedy || !double.IsFinite(logits[best]))
        {
            p[best] = 1;
            return p;
        }
        double max = logits[best], total = 0;
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = double.IsNaN(logits[i]) ? 0 : Math.Exp((logits[i] - max) / Temperature);
            total += p[i];
        }
        for (int i = 0; i < p.Length; i++) p[i] /= total;

        // The nucleus: most likely first (ties by position), until the kept mass reaches top-p.
        var order = Enumerable.Range(0, p.Length).OrderByDescending(i => p[i]).ThenBy(i => i).ToArray();
        double kept = 0;
        int size = 0;
        while (size < order.Length && kept < TopP * (1 - 1e-12)) kept += p[order[size++]];
        for (int r = size; r < order.Length; r++) p[order[r]] = 0;
        for (int i = 0; i < p.Length; i++) p[i] /= kept;
        return p;
    }

    private static int ArgMax(ReadOnlySpan<double> logits)
    {
        if (logits.IsEmpty) throw new ArgumentException("no candidates to sample from");
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
            if (logits[i] > logits[best] || double.IsNaN(logits[best])) best = i;
        return best;
    }
}
