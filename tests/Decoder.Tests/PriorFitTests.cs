namespace VecLm.Decoder.Tests;

public sealed class PriorFitTests(RuleFixture data) : IClassFixture<RuleFixture>
{
    /// <summary>
    /// Three words in the plane: w0 = (1, 0) seen 999 times, w1 = (0, 1) seen 99 times, w2 = (−1, 0) never, so
    /// ln p(w0) − ln p(w1) = ln 10 exactly. A query at angle θ above 45° prefers w1 by cosine until β passes
    /// β* = (sin θ − cos θ) / ln 10, then w0; w2 never wins. Each query below is placed so that β* falls between two
    /// grid points.
    /// </summary>
    private static (float[] Queries, int[] Truth) Plane(params (double Switch, int Truth)[] queries)
    {
        var rows = new List<float>();
        foreach (var (s, _) in queries)
        {
            double theta = Math.PI / 4 + Math.Asin(s * Math.Log(10) / Math.Sqrt(2));
            rows.Add((float)Math.Cos(theta));
            rows.Add((float)Math.Sin(theta));
        }
        return (rows.ToArray(), queries.Select(q => q.Truth).ToArray());
    }

    private static readonly ExactIndex PlaneWords = new([1, 0, 0, 1, -1, 0], 2);
    private static readonly long[] PlaneCounts = [999, 99, 0];

    [Fact]
    public void The_fitted_beta_maximises_a_top1_curve_known_by_hand()
    {
        // A: w1 right until β* = 0.0125; B: w0 right after 0.0325; C and D: w0 right after 0.0575; E: w1 right until 0.0425.
        var (queries, truth) = Plane((0.0125, 1), (0.0325, 0), (0.0575, 0), (0.0575, 0), (0.0425, 1));
        var grid = Enumerable.Range(0, 21).Select(i => i / 200.0).ToArray();   // 0, 0.005, …, 0.1
        var fit = PriorFit.Fit(PlaneWords, queries, truth, PlaneCounts, grid, threads: 1);
        int Right(double b) => (b < 0.0125 ? 1 : 0) + (b > 0.0325 ? 1 : 0) + (b > 0.0575 ? 2 : 0) + (b < 0.0425 ? 1 : 0);
        Assert.Equal(grid.Length, fit.Curve.Count);
        for (int g = 0; g < grid.Length; g++)
        {
            Assert.Equal(grid[g], fit.Curve[g].Beta);
            Assert.True(Right(grid[g]) / 5.0 == fit.Curve[g].Top1, $"β={grid[g]}: top-1 {fit.Curve[g].Top1}, by hand {Right(grid[g]) / 5.0}");
        }
        Assert.Equal(0.06, fit.Beta);   // 3 of 5 from 0.06 on: the smallest such β
        Assert.Equal(0.6, fit.Top1);
    }

    [Fact]
    public void Ties_between_betas_go_to_the_smaller_and_the_grid_order_is_kept()
    {
        var (queries, truth) = Plane((0.0125, 1), (0.0325, 0));   // right: 1 at every β except 0.015…0.03 where 0
        var fit = PriorFit.Fit(PlaneWords, queries, truth, PlaneCounts, [0.05, 0.02, 0.01, 0.0]);
        Assert.Equal(new[] { 0.5, 0.0, 0.5, 0.5 }, fit.Curve.Select(p => p.Top1));
        Assert.Equal(new[] { 0.05, 0.02, 0.01, 0.0 }, fit.Curve.Select(p => p.Beta));
        Assert.Equal(0.0, fit.Beta);
    }

    [Fact]
    public void Every_point_of_the_curve_is_the_exact_prior_decoders_top1()
    {
        var fit = PriorFit.Fit(data.Exact, data.Queries, data.Truth, data.Counts, threads: 2);
        Assert.Equal(PriorFit.DefaultGrid.Length, fit.Curve.Count);
        Assert.Equal(0.3, PriorFit.DefaultGrid[^1]);
        foreach (int g in new[] { 0, 3, 7, 12, 30, 60 })
        {
            double beta = PriorFit.DefaultGrid[g];
            var hits = new RuleDecoder(data.Exact, DecodingRule.Prior(data.Counts, beta)).DecodeBatch(data.Queries, 1);
            Assert.Equal(data.Top1(hits), fit.Curve[g].Top1);
        }
        Assert.Equal(fit.Curve.Max(p => p.Top1), fit.Top1);
        Assert.True(fit.Beta > 0 && fit.Top1 > fit.Curve[0].Top1 + 0.05, $"β={fit.Beta}: {fit.Top1:F3} vs {fit.Curve[0].Top1:F3} at 0");
        var single = PriorFit.Fit(data.Exact, data.Queries.AsSpan(0, 301 * RuleFixture.Dim), data.Truth.AsSpan(0, 301),
                                  data.Counts, threads: 1);
        var parallel = PriorFit.Fit(data.Exact, data.Queries.AsSpan(0, 301 * RuleFixture.Dim), data.Truth.AsSpan(0, 301),
                                    data.Counts, threads: 2);
        Assert.Equal(single.Curve, parallel.Curve);
    }

    [Fact]
    public void The_whole_curve_matches_scoring_every_word_at_every_beta()
    {
        // β up to 2 as well: there the prior swamps the cosine and most queries are decided by frequency alone.
        double[] grid = [.. PriorFit.DefaultGrid, 0.5, 1, 2];
        int n = 200, dim = RuleFixture.Dim, words = data.Count;
        var queries = data.Queries.AsSpan(0, n * dim);
        var truth = data.Truth.AsSpan(0, n);
        var fit = PriorFit.Fit(data.Exact, queries, truth, data.Counts, grid, threads: 2);
        var cosines = new float[n * words];
        data.Exact.ScoreAll(queries, cosines);
        for (int g = 0; g < grid.Length; g++)
        {
            var bias = DecodingRule.Prior(data.Counts, grid[g]).Bias!;
            int right = 0;
            for (int i = 0; i < n; i++)
            {
                int best = 0;
                for (int w = 1; w < words; w++)
                    if (cosines[i * words + w] + bias[w] > cosines[i * words + best] + bias[best]) best = w;
                if (best == truth[i]) right++;
            }
            Assert.True((double)right / n == fit.Curve[g].Top1, $"β={grid[g]}: fit {fit.Curve[g].Top1}, brute force {(double)right / n}");
        }
    }

    [Fact]
    public void Bad_arguments_are_rejected_with_clear_messages()
    {
        var (queries, truth) = Plane((0.0125, 1), (0.0325, 0));
        Assert.Contains("2 queries but 1 true ids",
                        Assert.Throws<ArgumentException>(() => PriorFit.Fit(PlaneWords, queries, truth[..1], PlaneCounts)).Message);
        Assert.Contains("2 word counts for an index of 3 words",
                        Assert.Throws<ArgumentException>(() => PriorFit.Fit(PlaneWords, queries, truth, [1, 2])).Message);
        Assert.Contains("true id 3 is not in 0..2",
                        Assert.Throws<ArgumentException>(() => PriorFit.Fit(PlaneWords, queries, [0, 3], PlaneCounts)).Message);
        Assert.Contains("not rows of the index's dimension 2",
                        Assert.Throws<ArgumentException>(() => PriorFit.Fit(PlaneWords, queries[..3], truth, PlaneCounts)).Message);
        Assert.Contains("grid is empty",
                        Assert.Throws<ArgumentException>(() => PriorFit.Fit(PlaneWords, queries, truth, PlaneCounts, [])).Message);
        Assert.Contains("no queries",
                        Assert.Throws<ArgumentException>(() => PriorFit.Fit(PlaneWords, [], [], PlaneCounts)).Message);
    }
}
