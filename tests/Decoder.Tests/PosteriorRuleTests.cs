using VecLm.Embeddings;

namespace VecLm.Decoder.Tests;

/// <summary>
/// The posterior rule, <c>ŷ·t(w) + β·ln p(w)</c>: the prior weighed against the prediction's length. Checked on the
/// rule fixture's words, against a brute-force score of every word, through exact search, HNSW and the β fit.
/// </summary>
public sealed class PosteriorRuleTests(RuleFixture data) : IClassFixture<RuleFixture>
{
    private const int Dim = RuleFixture.Dim;

    /// <summary>The fixture's queries, each scaled to a length between 0.5 and 8 (the length is what the rule reads).</summary>
    private float[] ScaledQueries()
    {
        var random = new Random(21);
        var queries = data.Queries.ToArray();
        for (int i = 0; i < queries.Length / Dim; i++)
        {
            float scale = (float)(0.5 + 7.5 * random.NextDouble());
            for (int d = 0; d < Dim; d++) queries[i * Dim + d] *= scale;
        }
        return queries;
    }

    [Fact]
    public void Posterior_scores_are_the_dot_product_plus_the_prior_bias()
    {
        var rule = DecodingRule.Posterior(data.Counts, 0.3);
        Assert.Equal(RuleKind.Posterior, rule.Kind);
        Assert.True(rule.ByLength);
        Assert.Equal("posterior β=0.300", rule.Name);
        Assert.Equal(DecodingRule.Prior(data.Counts, 0.3).Bias, rule.Bias);
        var queries = ScaledQueries().AsSpan(0, 40 * Dim).ToArray();
        var hits = new RuleDecoder(data.Exact, rule).DecodeBatch(queries, 5);
        for (int i = 0; i < hits.Length; i++)
        {
            var q = queries.AsSpan(i * Dim, Dim).ToArray();
            // Brute force: every word's q·t + bias, best first, ties by smaller id.
            var expected = Enumerable.Range(0, data.Count)
                .Select(w => (Id: w, Score: Simd.Dot(q, data.Exact.Vector(w)) + rule.BiasOf(w)))
                .OrderByDescending(x => x.Score).ThenBy(x => x.Id).Take(5).ToArray();
            Assert.Equal(expected.Select(x => x.Id), hits[i].Select(h => h.Id));
            float length = MathF.Sqrt(Simd.Dot(q, q));
            foreach (var h in hits[i])
            {
                Assert.Equal(Simd.Dot(q, data.Exact.Vector(h.Id)) + rule.BiasOf(h.Id), h.Score, 1e-4f);
                Assert.Equal(Simd.Dot(q, data.Exact.Vector(h.Id)) / length, h.Cosine, 1e-5f);
            }
        }
    }

    [Fact]
    public void A_longer_prediction_leans_less_on_the_prior()
    {
        // w0 = (1, 0) frequent, w1 = (0.8, 0.6) rare; the query points at w1. Short, the prior wins; long, the vector does.
        var words = new ExactIndex([1, 0, 0.8f, 0.6f], 2);
        var rule = DecodingRule.Posterior([999, 9], 0.1);             // bias gap 0.1·ln 100 ≈ 0.46
        var decoder = new RuleDecoder(words, rule);
        Assert.Equal(0, decoder.Decode([0.8f, 0.6f], 1)[0].Id);      // 1·(1 − 0.8) = 0.2 < 0.46
        Assert.Equal(1, decoder.Decode([8f, 6f], 1)[0].Id);          // 10·0.2 = 2 > 0.46
        var prior = new RuleDecoder(words, DecodingRule.Prior([999, 9], 0.1));
        Assert.Equal(0, prior.Decode([8f, 6f], 1)[0].Id);            // the prior rule ignores the length
    }

    [Fact]
    public void With_beta_zero_it_ranks_as_cosine()
    {
        var queries = ScaledQueries();
        var cosine = new RuleDecoder(data.Exact, DecodingRule.Cosine()).DecodeBatch(queries, 5);
        var posterior = new RuleDecoder(data.Exact, DecodingRule.Posterior(data.Counts, 0)).DecodeBatch(queries, 5);
        for (int i = 0; i < cosine.Length; i++) Assert.Equal(cosine[i].Select(h => h.Id), posterior[i].Select(h => h.Id));
    }

    [Fact]
    public void Over_hnsw_it_agrees_with_exact_decoding_and_certifies_only_exact_answers()
    {
        var queries = ScaledQueries();
        var rule = DecodingRule.Posterior(data.Counts, 0.15);
        var exact = new RuleDecoder(data.Exact, rule).DecodeBatch(queries, 5);
        var hnsw = new RuleDecoder(data.Hnsw, rule);
        var approximate = hnsw.DecodeBatch(queries, 5, threads: 2);
        double agreement = RuleFixture.Top1Agreement(exact, approximate);
        Assert.True(agreement >= 0.98, $"top-1 agreement {agreement:F3}");
        // Every word a bias candidate: nothing can be missed beyond HNSW's own recall, and certified answers are exact.
        var all = new RuleDecoder(data.Hnsw, rule, candidates: 64, biasCandidates: data.Count);
        for (int i = 0; i < 200; i++)
        {
            var hits = all.Decode(queries.AsSpan(i * Dim, Dim), 5, out bool certified);
            Assert.True(certified);
            Assert.Equal(exact[i][0].Id, hits[0].Id);
        }
    }

    [Fact]
    public void The_fitted_posterior_beta_is_the_grid_point_of_best_exact_top1()
    {
        var queries = ScaledQueries();
        var fit = PriorFit.Fit(data.Exact, queries, data.Truth, data.Counts, threads: 2, byLength: true);
        var grid = PriorFit.PosteriorGrid(queries, Dim);
        Assert.Equal(grid, fit.Curve.Select(c => c.Beta));
        foreach (int g in new[] { 0, 5, 20, 40, grid.Length - 1 })
        {
            var hits = new RuleDecoder(data.Exact, DecodingRule.Posterior(data.Counts, grid[g])).DecodeBatch(queries, 1);
            Assert.Equal(data.Top1(hits), fit.Curve[g].Top1);
        }
        Assert.Equal(fit.Curve.Max(c => c.Top1), fit.Top1);
        Assert.True(fit.Top1 > fit.Curve[0].Top1 + 0.05, $"β={fit.Beta}: {fit.Top1:F3} vs {fit.Curve[0].Top1:F3} at 0");
    }
}
