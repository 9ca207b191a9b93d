using VecLm.Embeddings;
namespace VecLm.Decoder.Tests;

public sealed class DecodingRuleTests(RuleFixture data) : IClassFixture<RuleFixture>
{
    [Fact]
    public void Names_describe_the_rules()
    {
        Assert.Equal("cosine", DecodingRule.Cosine().Name);
        Assert.Equal("prior β=0.080", DecodingRule.Prior([1, 2, 3], 0.08).Name);
        Assert.Equal("csls k=10", DecodingRule.Csls([0.5f, 0.25f], 10).Name);
        Assert.Null(DecodingRule.Cosine().Bias);
        Assert.Equal(0f, DecodingRule.Cosine().BiasOf(12345));
    }

    [Fact]
    public void The_prior_bias_is_beta_times_the_add_one_smoothed_log_probability()
    {
        // Counts 0, 1, 5 → (1, 2, 6) / (6 + 3): an unseen word still gets a finite bias.
        var rule = DecodingRule.Prior([0, 1, 5], 0.5);
        Assert.Equal(RuleKind.Prior, rule.Kind);
        Assert.Equal(0.5, rule.Beta);
        Assert.Equal((float)(0.5 * Math.Log(1 / 9.0)), rule.BiasOf(0), 1e-6f);
        Assert.Equal((float)(0.5 * Math.Log(2 / 9.0)), rule.BiasOf(1), 1e-6f);
        Assert.Equal((float)(0.5 * Math.Log(6 / 9.0)), rule.BiasOf(2), 1e-6f);
    }

    [Fact]
    public void The_csls_bias_is_minus_half_the_hubness()
    {
        var rule = DecodingRule.Csls([0.8f, -0.2f], 7);
        Assert.Equal(new[] { -0.4f, 0.1f }, rule.Bias);
        Assert.Equal(7, rule.CslsK);
    }

    [Fact]
    public void Prior_with_beta_zero_ranks_exactly_as_cosine()
    {
        var cosine = new RuleDecoder(data.Exact, DecodingRule.Cosine()).DecodeBatch(data.Queries, 10);
        var prior = new RuleDecoder(data.Exact, DecodingRule.Prior(data.Counts, 0)).DecodeBatch(data.Queries, 10);
        for (int i = 0; i < cosine.Length; i++) Assert.Equal(cosine[i], prior[i]);
        var plain = data.Exact.SearchBatch(data.Queries, 10);
        for (int i = 0; i < cosine.Length; i++)
            Assert.Equal(plain[i], cosine[i].Select(h => new Neighbor(h.Id, h.Cosine)));
    }

    [Fact]
    public void Prior_with_a_large_beta_predicts_the_most_frequent_word_for_any_query()
    {
        int mostFrequent = Array.IndexOf(data.Counts, data.Counts.Max());
        var rule = DecodingRule.Prior(data.Counts, 100);
        var random = TestData.RandomVectors(50, RuleFixture.Dim, seed: 3);
        foreach (IVectorIndex index in new IVectorIndex[] { data.Exact, data.Hnsw })
        {
            var decoder = new RuleDecoder(index, rule);
            foreach (var queries in new[] { data.Queries, random })
                Assert.All(decoder.DecodeBatch(queries, 1), hits => Assert.Equal(mostFrequent, hits[0].Id));
        }
    }

    [Fact]
    public void Bad_rule_arguments_are_rejected()
    {
        Assert.Contains("negative", Assert.Throws<ArgumentException>(() => DecodingRule.Prior([3, -1], 0.1)).Message);
        Assert.Contains("no word counts", Assert.Throws<ArgumentException>(() => DecodingRule.Prior([], 0.1)).Message);
        Assert.Contains("finite", Assert.Throws<BadInputException>(() => DecodingRule.Prior([1], double.NaN)).Message);
        Assert.Contains("at least 1", Assert.Throws<ArgumentException>(() => DecodingRule.Csls([0.1f], 0)).Message);
        Assert.Contains("word 1", Assert.Throws<ArgumentException>(() => DecodingRule.Csls([0.1f, float.NaN], 10)).Message);
    }
}
