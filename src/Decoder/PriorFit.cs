using System.Numerics;

namespace VecLm.Decoder;

/// <summary>A fitted prior weight: the best β, its top-1 accuracy, and top-1 at every β tried, in grid order.</summary>
public sealed record BetaFit(double Beta, double Top1, IReadOnlyList<(double Beta, double Top1)> Curve);

/// <summary>
/// Fits β of the prior rule (<see cref="DecodingRule.Prior"/>) on labelled queries: top-1 accuracy of
/// <c>argmax_w cos(q_i, t(w)) + β·ln p(w)</c> for every β of a grid, exactly (every word accounted for), bitwise as
/// the rule ranks over an <see cref="ExactIndex"/> (the same cosines, the same float bias, ties by smaller id).
/// <para>
/// Each query's cosines are computed once (<see cref="ExactIndex.ScoreAll"/>, blocks of queries spread over the
/// threads). Then only one question is asked per β: does the true word t beat every other word? As a function of β,
/// <c>d_w(β) = score_w(β) − score_t(β)</c> is a line, so over an interval <c>[a, b]</c> of the grid its sign is
/// settled by its two end values: a word below t at both ends never wins there and is dropped; a word above t at both
/// ends wins everywhere there, so t is wrong at every β of the interval. One SIMD pass over all words does this for
/// the whole grid; the interval is then halved recursively, each half filtering its parent's remaining rivals, until
/// none remain (t right throughout) or a few do, which are checked at each β exactly. A margin proportional to the
/// scores' magnitude keeps the float rounding of the end values from deciding anything.
/// </para>
/// </summary>
public static class PriorFit
{
    private const int QueryChunk = 8;   // queries scored per ScoreAll call (8 × 17,715 floats stay in L2)

    /// <summary>β = 0, 0.005, …, 0.3 (61 values).</summary>
    public static readonly double[] DefaultGrid = Enumerable.Range(0, 61).Select(i => i / 200.0).ToArray();

    /// <summary>
    /// Top-1 accuracy at every β of <paramref name="grid"/> (default <see cref="DefaultGrid"/>) of the queries
    /// (row-major, any length) against their true word ids <paramref name="truth"/>; <paramref name="counts"/> holds
    /// one unigram count per word. The best β wins; among equals, the smaller β. With <paramref name="byLength"/> the
    /// rule fitted is the posterior (<see cref="DecodingRule.Posterior"/>: <c>q·t(w) + β·ln p(w)</c>, queries not
    /// normalised) and the default grid is <see cref="PosteriorGrid"/> of the queries.
    /// </summary>
    public static BetaFit Fit(ExactIndex targets, ReadOnlySpan<float> queries, ReadOnlySpan<int> truth,
                              ReadOnlySpan<long> counts, IReadOnlyList<double>? grid = null, int threads = -1,
                              bool byLength = false)
    {
        ArgumentNullException.ThrowIfNull(targets);
        int dim = targets.Dim, words = targets.Count;
        if (queries.Length % dim != 0)
            throw new ArgumentException($"{queries.Length} query values are not rows of the index's dimension {dim}");
        int n = queries.Length / dim;
        if (n == 0) throw new ArgumentException("no queries to fit β on");
        if (truth.Length != n) throw new ArgumentException($"{n} queries but {truth.Length} true ids");
        if (counts.Length != words) throw new ArgumentException($"{counts.Length} word counts for an index of {words} words");
        foreach (int t in truth)
            if ((uint)t >= (uint)words) throw new ArgumentException($"true id {t} is not in 0..{words - 1}");
        var betas = (grid ?? (byLength ? PosteriorGrid(queries, dim) : DefaultGrid)).ToArray();
        if (betas.Length == 0) throw new ArgumentException("the β grid is empty");
        if (betas.Any(b => !double.IsFinite(b))) throw new ArgumentException("the β grid holds a value that is not finite");
        if (threads == 0 || threads < -1) throw new ArgumentException($"threads must be positive or -1 (got {threads})");

        var order = Enumerable.Range(0, betas.Length).OrderBy(g => betas[g]).ToArray();
        float longest = byLength ? Math.Max(1f, Lengths(queries, dim).Max()) : 1f;
        var problem = new Problem(order.Select(g => betas[g]).ToArray(), DecodingRule.LogProbabilities(counts), longest);
        var queryCopy = queries.ToArray();
        var truthCopy = truth.ToArray();
        var correct = new long[betas.Length];   // by position in ascending β
        int chunks = (n + QueryChunk - 1) / QueryChunk;
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads },
            () => new Worker(problem, words),
            (chunk, _, worker) =>
            {
                int first = chunk * QueryChunk, count = Math.Min(QueryChunk, n - first);
                var scores = worker.Scores.AsSpan(0, count * words);
                targets.ScoreAll(queryCopy.AsSpan(first * dim, count * dim), scores, byLength: byLength);
                for (int i = 0; i < count; i++) worker.Count(scores.Slice(i * words, words), truthCopy[first + i]);
                return worker;
            },
            worker => { lock (correct) for (int g = 0; g < correct.Length; g++) correct[g] += worker.Correct[g]; });

        var top1 = new double[betas.Length];
        for (int s = 0; s < order.Length; s++) top1[order[s]] = (double)correct[s] / n;
        var curve = betas.Select((b, g) => (Beta: b, Top1: top1[g])).ToList();
        var best = curve.OrderByDescending(p => p.Top1).ThenBy(p => p.Beta).First();
        return new BetaFit(best.Beta, best.Top1, curve);
    }

    /// <summary>
    /// The posterior's grid: the prior's (<see cref="DefaultGrid"/>) times twice the median query length, so that at the
    /// median length it spans cos + 0…0.6·ln p (β/‖q‖ is the prior's weight for a query of length ‖q‖).
    /// </summary>
    public static double[] PosteriorGrid(ReadOnlySpan<float> queries, int dim)
    {
        var lengths = Lengths(queries, dim);
        Array.Sort(lengths);
        double median = lengths.Length == 0 ? 1 : Math.Max(lengths[lengths.Length / 2], 1e-3f);
        return DefaultGrid.Select(b => Math.Round(2 * median * b, 4)).Distinct().ToArray();
    }

    /// <summary>‖q‖ of every query row.</summary>
    private static float[] Lengths(ReadOnlySpan<float> queries, int dim)
    {
        var lengths = new float[queries.Length / dim];
        for (int i = 0; i < lengths.Length; i++) lengths[i] = System.Numerics.Tensors.TensorPrimitives.Norm(queries.Slice(i * dim, dim));
        return lengths;
    }

    /// <summary>What every query shares: the grid (ascending), ln p in double and float, the rounding margin.</summary>
    private sealed class Problem
    {
        public Problem(double[] betas, double[] logP, float longest)
        {
            Betas = betas;
            LogP = logP;
            LogPf = logP.Select(x => (float)x).ToArray();
            // End values are float sums of a similarity (at most the longest query's length) and β·ln p: a few ulps of
            // (longest + |β·ln p|) at most.
            double magnitude = longest + betas.Max(Math.Abs) * logP.Max(Math.Abs);
            Margin = (float)(1e-5 * magnitude);
        }

        public double[] Betas { get; }
        public double[] LogP { get; }
        public float[] LogPf { get; }
        public float Margin { get; }
    }

    /// <summary>Per-thread working memory and counting: a block of score rows, one rival list per depth, the tallies.</summary>
    private sealed class Worker(Problem p, int words)
    {
        public readonly float[] Scores = new float[QueryChunk * words];
        public readonly long[] Correct = new long[p.Betas.Length];
        private readonly List<int[]> _levels = [];

        /// <summary>Adds to <see cref="Correct"/> every β at which <paramref name="truth"/> is the argmax of the row.</summary>
        public void Count(ReadOnlySpan<float> cosines, int truth)
        {
            int rivals = AllRivals(cosines, truth, Level(0, cosines.Length), out bool beaten);
            if (!beaten) Solve(cosines, truth, 0, rivals, 0, p.Betas.Length - 1);
        }

        /// <summary>Grid positions <paramref name="g0"/>…<paramref name="g1"/>, the rivals left at <paramref name="depth"/>.</summary>
        private void Solve(ReadOnlySpan<float> cosines, int truth, int depth, int count, int g0, int g1)
        {
            var rivals = _levels[depth].AsSpan(0, count);
            if (count == 0)
            {
                for (int g = g0; g <= g1; g++) Correct[g]++;
                return;
            }
            if (g1 - g0 < 2 || count <= 8)
            {
                for (int g = g0; g <= g1; g++)
                    if (Wins(cosines, truth, rivals, p.Betas[g])) Correct[g]++;
                return;
            }
            int mid = (g0 + g1) / 2;
            var next = Level(depth + 1, count);
            for (int half = 0; half < 2; half++)
            {
                int a = half == 0 ? g0 : mid + 1, b = half == 0 ? mid : g1;
                int kept = Filter(cosines, truth, _levels[depth].AsSpan(0, count), (float)p.Betas[a], (float)p.Betas[b], next,
                                  out bool beaten);
                if (!beaten) Solve(cosines, truth, depth + 1, kept, a, b);
            }
        }

        /// <summary>
        /// The words that may reach the true word somewhere on the whole grid (it excluded), in id order; or
        /// <paramref name="beaten"/> when one word is above it at both ends (then the list is incomplete).
        /// </summary>
        private int AllRivals(ReadOnlySpan<float> cosines, int truth, int[] rivals, out bool beaten)
        {
            float lo = (float)p.Betas[0], hi = (float)p.Betas[^1], margin = p.Margin;
            var logP = p.LogPf;
            float tLo = cosines[truth] + lo * logP[truth], tHi = cosines[truth] + hi * logP[truth];
            int words = cosines.Length, width = Vector<float>.Count, w = 0, found = 0;
            Vector<float> vlo = new(lo), vhi = new(hi), vtLo = new(tLo), vtHi = new(tHi);
            Vector<float> above = new(margin), below = new(-margin);
            beaten = false;
            for (; w + width <= words; w += width)
            {
                var c = new Vector<float>(cosines.Slice(w));
                var l = new Vector<float>(logP, w);
                var dLo = c + vlo * l - vtLo;
                var dHi = c + vhi * l - vtHi;
                if (Vector.GreaterThanAny(Vector.Min(dLo, dHi), above)) { beaten = true; return 0; }
                var reach = Vector.GreaterThanOrEqual(Vector.Max(dLo, dHi), below);
                if (reach == Vector<int>.Zero) continue;
                for (int j = 0; j < width; j++)
                    if (reach[j] != 0 && w + j != truth) rivals[found++] = w + j;
            }
            for (; w < words; w++)
            {
                float dLo = cosines[w] + lo * logP[w] - tLo, dHi = cosines[w] + hi * logP[w] - tHi;
                if (Math.Min(dLo, dHi) > margin) { beaten = true; return 0; }
                if (Math.Max(dLo, dHi) >= -margin && w != truth) rivals[found++] = w;
            }
            return found;
        }

        /// <summary>As <see cref="AllRivals"/>, over <c>[lo, hi]</c> and a parent's rivals only.</summary>
        private int Filter(ReadOnlySpan<float> cosines, int truth, ReadOnlySpan<int> candidates, float lo, float hi,
                           int[] kept, out bool beaten)
        {
            var logP = p.LogPf;
            float margin = p.Margin, tLo = cosines[truth] + lo * logP[truth], tHi = cosines[truth] + hi * logP[truth];
            int found = 0;
            beaten = false;
            foreach (int w in candidates)
            {
                float dLo = cosines[w] + lo * logP[w] - tLo, dHi = cosines[w] + hi * logP[w] - tHi;
                if (Math.Min(dLo, dHi) > margin) { beaten = true; return 0; }
                if (Math.Max(dLo, dHi) >= -margin) kept[found++] = w;
            }
            return found;
        }

        /// <summary>Whether the true word's score at β beats every rival's exactly as the rule scores (ties: smaller id).</summary>
        private bool Wins(ReadOnlySpan<float> cosines, int truth, ReadOnlySpan<int> rivals, double beta)
        {
            float t = cosines[truth] + DecodingRule.PriorBias(beta, p.LogP[truth]);
            foreach (int w in rivals)
            {
                float s = cosines[w] + DecodingRule.PriorBias(beta, p.LogP[w]);
                if (s > t || (s == t && w < truth)) return false;
            }
            return true;
        }

        private int[] Level(int depth, int size)
        {
            while (_levels.Count <= depth) _levels.Add([]);
            if (_levels[depth].Length < size) _levels[depth] = new int[size];
            return _levels[depth];
        }
    }
}
