using VecLm.Embeddings;
using System.Text.Json.Serialization;
using VecLm.Decoder;
using VecLm.Regressor;

namespace VecLm.Evaluation;

/// <summary>Open-vocabulary accuracy on validation text at one back-off boost γ.</summary>
public sealed record BackoffPoint(
    [property: JsonPropertyName("boost")] double Boost,
    [property: JsonPropertyName("top1")] double Top1,
    [property: JsonPropertyName("top5")] double Top5,
    [property: JsonPropertyName("unseen_top5")] double UnseenTop5);

/// <summary>
/// Where a model points at the words it never had: over the validation positions whose true word is one of them, that
/// word's rank among them all by cosine to the prediction (their prior is one shared value, so every rule ranks them
/// alike), its median and the share of positions ranked within 5, 100 and 1,000.
/// </summary>
public sealed record UnseenRanks(
    [property: JsonPropertyName("positions")] int Positions,
    [property: JsonPropertyName("median")] double Median,
    [property: JsonPropertyName("within5")] double Within5,
    [property: JsonPropertyName("within100")] double Within100,
    [property: JsonPropertyName("within1000")] double Within1000);

/// <summary>
/// Fits the prior of a decode vocabulary's words that the model never had (<see cref="DecodingState.ForDecodeVocabulary"/>:
/// they share <c>&lt;unk&gt;</c>'s probability, raised by e^γ) on validation text: the γ of the best strict
/// open-vocabulary top-1 (<see cref="OpenVocabulary"/>), with the whole curve, so what raising them costs the other
/// words is on record. Raising them shifts all their scores by the same β·γ (prior and posterior rules alike), so each
/// position is decoded once in each group — the words the model had, the words it did not — and every γ is a merge
/// of the two top-5 lists.
/// </summary>
public static class BackoffFit
{
    public static readonly double[] Grid = [.. Enumerable.Range(0, 13).Select(i => 2.0 * i)];

    /// <summary>
    /// <paramref name="model"/> decodes to its decode vocabulary at γ = 0 under its rule; <paramref name="open"/> has
    /// the training counts; the first <paramref name="positions"/> predictions of <paramref name="validPath"/> are used.
    /// </summary>
    public static (double Boost, IReadOnlyList<BackoffPoint> Curve, UnseenRanks? Ranks) Fit(TrainedModel model, OpenVocabulary open,
                                                                                            string validPath, int positions = 20_000)
    {
        var decode = model.DecodeVocabulary ?? throw new InvalidOperationException("the model has no decode vocabulary");
        var rule = model.Rule;
        if (rule.Bias is null) return (0, [], null);   // plain cosine has no prior to raise
        var ids = TokenBatches.Tokenize(validPath, model.Vectors.Vocabulary, model.Tokenizer);
        var surface = OpenVocabulary.Surface(validPath, model.Tokenizer);
        int n = Math.Min(positions, ids.Length - 1), dim = model.Config.OutputSize;
        var outputs = new float[(long)n * dim];
        StreamRunner.Run(model, ids.AsSpan(0, n), (features, start) =>
            model.Head(features).contiguous().data<float>().CopyTo(outputs, start * dim));

        var inside = Enumerable.Range(0, decode.Count).Where(i => decode.ModelIds[i] >= 0).ToArray();
        var outside = Enumerable.Range(0, decode.Count).Where(i => decode.ModelIds[i] < 0).ToArray();
        if (outside.Length == 0) return (0, [], null);
        var had = Decode(model, rule, inside, outputs, out _);
        var never = Decode(model, rule, outside, outputs, out var outsideRows);
        float step = (float)rule.Beta;
        var curve = new List<BackoffPoint>();
        var guesses = new List<(float Score, string Word)>(10);
        foreach (double boost in Grid)
        {
            var tally = open.NewTally();
            for (int t = 0; t < n; t++)
            {
                guesses.Clear();
                guesses.AddRange(had[t].Select(h => (h.Score, decode[inside[h.Id]])));
                guesses.AddRange(never[t].Select(h => (h.Score + step * (float)boost, decode[outside[h.Id]])));
                guesses.Sort((a, b) => b.Score.CompareTo(a.Score));
                tally.Add(surface[t + 1], guesses.Select(g => g.Word));
            }
            var r = tally.Result();
            curve.Add(new BackoffPoint(boost, r.Top1, r.Top5, r.Bands["unseen"].Top5));
        }
        var best = curve.MaxBy(p => (p.Top1, -p.Boost))!;
        return (best.Boost, curve, Ranks(decode, outside, outsideRows, outputs, surface, n, dim));
    }

    /// <summary><see cref="UnseenRanks"/> of the first <paramref name="n"/> positions (null: none has such a word).</summary>
    private static UnseenRanks? Ranks(DecodeVocabulary decode, int[] outside, ExactIndex rows, float[] outputs, string[] surface,
                                      int n, int dim)
    {
        var slot = new Dictionary<string, int>(outside.Length, StringComparer.Ordinal);
        for (int i = 0; i < outside.Length; i++) slot[decode[outside[i]]] = i;
        var positions = Enumerable.Range(0, n).Where(t => slot.ContainsKey(surface[t + 1])).ToArray();
        if (positions.Length == 0) return null;
        var ranks = new int[positions.Length];
        Parallel.For(0, positions.Length, j =>
        {
            int t = positions[j];
            var query = outputs.AsSpan(t * dim, dim).ToArray();
            VectorMath.Normalize(query);
            float truth = Simd.Dot(query, rows.Vector(slot[surface[t + 1]]));
            int above = 0;
            for (int i = 0; i < rows.Count; i++) if (Simd.Dot(query, rows.Vector(i)) > truth) above++;
            ranks[j] = above + 1;
        });
        Array.Sort(ranks);
        double Share(int k) => (double)ranks.Count(r => r <= k) / ranks.Length;
        double median = ranks.Length % 2 == 1 ? ranks[ranks.Length / 2] : (ranks[ranks.Length / 2 - 1] + ranks[ranks.Length / 2]) / 2.0;
        return new UnseenRanks(ranks.Length, median, Share(5), Share(100), Share(1000));
    }

    /// <summary>The top 5 of each output among the words <paramref name="subset"/> (ids into the subset), under the rule.</summary>
    private static Neighbor[][] Decode(TrainedModel model, DecodingRule rule, int[] subset, float[] outputs, out ExactIndex index)
    {
        var all = model.ExactTargets!;
        int dim = all.Dim;
        var rows = new float[(long)subset.Length * dim];
        var bias = new float[subset.Length];
        for (int i = 0; i < subset.Length; i++)
        {
            all.Vector(subset[i]).CopyTo(rows.AsSpan(i * dim, dim));
            bias[i] = rule.BiasOf(subset[i]);
        }
        index = new ExactIndex(rows, dim);
        return new RuleDecoder(index, rule with { Bias = bias }).DecodeBatch(outputs, 5);
    }
}
