namespace VecLm.Decoder.Tests;

public sealed class CslsHubnessTests
{
    [Fact]
    public void Hubness_is_the_mean_cosine_to_the_k_nearest_references()
    {
        var targets = new ExactIndex(new float[] { 1, 0, 0, 1 }, 2);
        // References at 0°, 60°, 90° and 180° (lengths vary: they are normalised).
        var references = new float[] { 2, 0, 0.5f, MathF.Sqrt(3) / 2, 0, 3, -1, 0 };
        var k2 = CslsHubness.Compute(targets, references, k: 2);
        Assert.Equal((1 + 0.5f) / 2, k2[0], 1e-6f);                    // word (1,0): cosines 1, 0.5, 0, −1
        Assert.Equal((1 + MathF.Sqrt(3) / 2) / 2, k2[1], 1e-6f);       // word (0,1): cosines 0, 0.87, 1, 0
        var all = CslsHubness.Compute(targets, references, k: 10, threads: 1);   // k beyond the references: all 4
        Assert.Equal((1 + 0.5f + 0 - 1) / 4, all[0], 1e-6f);
    }

    /// <summary>
    /// Anisotropic words (a shared direction plus noise) and a hub, the normalised mean of all of them, added as word
    /// 400. Predictions regress to the mean, as a regression head's do: halfway between the true word and the mean,
    /// plus noise. Under cosine the hub wins about half the queries; CSLS, which knows the hub sits near every
    /// prediction, demotes it and decodes more true words.
    /// </summary>
    [Fact]
    public void Csls_demotes_a_hub_that_cosine_decodes_to()
    {
        const int dim = 32, n = 400;
        var noise = TestData.RandomVectors(n, dim, seed: 3);
        var shared = DotProduct.Normalized(TestData.RandomVectors(1, dim, seed: 4), dim);
        var words = new float[(n + 1) * dim];
        for (int i = 0; i < n * dim; i++) words[i] = shared[i % dim] + noise[i] / MathF.Sqrt(dim);
        var unit = DotProduct.Normalized(words.AsSpan(0, n * dim), dim);
        for (int i = 0; i < n * dim; i++) words[n * dim + i % dim] += unit[i] / n;
        var targets = new ExactIndex(words, dim);
        var hub = targets.Vector(n).ToArray();

        var random = new Random(5);
        float[] Predictions(int count, int seed, out int[] truth)
        {
            truth = Enumerable.Range(0, count).Select(_ => random.Next(n)).ToArray();
            var rows = TestData.NoisyRows(words, dim, truth, 0.1, seed);
            for (int i = 0; i < rows.Length; i++) rows[i] = 0.5f * rows[i] + 0.5f * hub[i % dim];
            return rows;
        }
        var references = Predictions(2000, seed: 6, out _);
        var queries = Predictions(1000, seed: 7, out var truth);

        var hubness = CslsHubness.Compute(targets, references, k: 10);
        Assert.True(hubness[n] > hubness.Take(n).Max(), "the hub is the most central word");
        var cosine = new RuleDecoder(targets, DecodingRule.Cosine()).DecodeBatch(queries, 1);
        var csls = new RuleDecoder(targets, DecodingRule.Csls(hubness, 10)).DecodeBatch(queries, 1);
        int hubByCosine = cosine.Count(h => h[0].Id == n), hubByCsls = csls.Count(h => h[0].Id == n);
        Assert.True(hubByCosine >= 300, $"cosine decodes {hubByCosine} of 1000 queries to the hub");
        Assert.True(hubByCsls * 3 <= hubByCosine, $"CSLS still decodes {hubByCsls} to the hub (cosine {hubByCosine})");
        int rightByCosine = Enumerable.Range(0, truth.Length).Count(i => cosine[i][0].Id == truth[i]);
        int rightByCsls = Enumerable.Range(0, truth.Length).Count(i => csls[i][0].Id == truth[i]);
        Assert.True(rightByCsls > rightByCosine, $"true words: cosine {rightByCosine}, CSLS {rightByCsls}");
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        var targets = new ExactIndex(new float[] { 1, 0, 0, 1 }, 2);
        Assert.Contains("k must be at least 1",
                        Assert.Throws<ArgumentException>(() => CslsHubness.Compute(targets, new float[4], 0)).Message);
        Assert.Contains("not rows of the index's dimension 2",
                        Assert.Throws<ArgumentException>(() => CslsHubness.Compute(targets, new float[3])).Message);
        Assert.Contains("no reference vectors",
                        Assert.Throws<ArgumentException>(() => CslsHubness.Compute(targets, [])).Message);
    }
}
