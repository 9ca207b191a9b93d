using VecLm.Embeddings;

namespace VecLm.Decoder.Tests;

public sealed class RuleDecoderTests(RuleFixture data) : IClassFixture<RuleFixture>
{
    private const int Dim = RuleFixture.Dim;

    public static TheoryData<string> Rules() => new() { "cosine", "prior" };

    private DecodingRule Rule(string name) =>
        name == "cosine" ? DecodingRule.Cosine() : DecodingRule.Prior(data.Counts, 0.035);

    [Theory]
    [MemberData(nameof(Rules))]
    public void Over_hnsw_it_agrees_with_exact_decoding_on_at_least_98_percent(string name)
    {
        var rule = Rule(name);
        var exact = new RuleDecoder(data.Exact, rule).DecodeBatch(data.Queries, 5);
        var approximate = new RuleDecoder(data.Hnsw, rule).DecodeBatch(data.Queries, 5, threads: 2);
        double agreement = RuleFixture.Top1Agreement(exact, approximate);
        Assert.True(agreement >= 0.98, $"{rule.Name}: top-1 agreement {agreement:F3}");
        Assert.All(approximate, hits => Assert.Equal(5, hits.Length));
    }

    [Fact]
    public void The_prior_decodes_more_true_words_than_cosine_here()
    {
        double cosine = data.Top1(new RuleDecoder(data.Exact, DecodingRule.Cosine()).DecodeBatch(data.Queries, 1));
        double prior = data.Top1(new RuleDecoder(data.Exact, Rule("prior")).DecodeBatch(data.Queries, 1));
        Assert.True(prior > cosine + 0.05, $"cosine {cosine:F3}, prior {prior:F3}");
    }

    [Fact]
    public void Scores_are_cosine_plus_bias_best_first_ties_by_id()
    {
        var rule = Rule("prior");
        foreach (var decoder in new[] { new RuleDecoder(data.Exact, rule), new RuleDecoder(data.Hnsw, rule) })
        {
            var hits = decoder.DecodeBatch(data.Queries.AsSpan(0, 50 * Dim), 10);
            var unit = DotProduct.Normalized(data.Queries.AsSpan(0, 50 * Dim), Dim);
            for (int i = 0; i < hits.Length; i++)
            {
                Assert.Equal(10, hits[i].Length);
                Assert.Equal(10, hits[i].Select(h => h.Id).Distinct().Count());
                for (int j = 0; j < hits[i].Length; j++)
                {
                    var h = hits[i][j];
                    Assert.Equal(h.Cosine + rule.BiasOf(h.Id), h.Score, 1e-6f);
                    Assert.Equal(Simd.Dot(unit.AsSpan(i * Dim, Dim), data.Exact.Vector(h.Id)), h.Cosine, 1e-5f);
                    if (j > 0)
                        Assert.True(hits[i][j - 1].Score > h.Score || (hits[i][j - 1].Score == h.Score && hits[i][j - 1].Id < h.Id));
                }
            }
        }
    }

    [Fact]
    public void Scoring_every_word_as_a_bias_candidate_makes_hnsw_decoding_exact()
    {
        var rule = Rule("prior");
        var exact = new RuleDecoder(data.Exact, rule).DecodeBatch(data.Queries, 3);
        var all = new RuleDecoder(data.Hnsw, rule, candidates: 8, biasCandidates: data.Count);
        for (int i = 0; i < exact.Length; i++)
        {
            var hits = all.Decode(data.Queries.AsSpan(i * Dim, Dim), 3, out bool certified);
            Assert.True(certified);
            for (int j = 0; j < 3; j++)
                if (hits[j].Id != exact[i][j].Id)   // only a float near-tie between the two dot products may differ
                    Assert.Equal(exact[i][j].Score, hits[j].Score, 1e-5f);
        }
    }

    [Fact]
    public void The_words_of_largest_bias_are_scored_exactly_where_the_cosine_candidates_miss_them()
    {
        // Four cosine candidates (an ef-4 search): without a bias set the prior rule's answer is among them; the 450
        // most frequent words (a tenth), scored as a block, find most of the prior's winners they miss (measured:
        // 0.721 → 0.964).
        var rule = Rule("prior");
        var exact = new RuleDecoder(data.Exact, rule).DecodeBatch(data.Queries, 1);
        double none = RuleFixture.Top1Agreement(exact, new RuleDecoder(data.Hnsw, rule, candidates: 4, biasCandidates: 0).DecodeBatch(data.Queries, 1));
        double some = RuleFixture.Top1Agreement(exact, new RuleDecoder(data.Hnsw, rule, candidates: 4, biasCandidates: 450).DecodeBatch(data.Queries, 1));
        Assert.True(none < 0.8 && some > 0.95, $"agreement without a bias set {none:F3}, with 450 words {some:F3}");
    }

    [Fact]
    public void Known_words_are_scored_exactly_under_every_rule()
    {
        // One cosine candidate (an ef-1 search) and no bias set: the prior's answer is then HNSW's one word (about 0.3
        // agreement).
        // Given the words the queries decode to exactly (as a model's shortlist holds the words its validation
        // predictions decoded to), every rule finds them.
        var hubness = CslsHubness.Compute(data.Exact, data.Queries);
        foreach (var rule in new[] { DecodingRule.Cosine(), Rule("prior"), DecodingRule.Posterior(data.Counts, 0.3), DecodingRule.Csls(hubness, 10) })
        {
            var exact = new RuleDecoder(data.Exact, rule).DecodeBatch(data.Queries, 1);
            var known = exact.Select(hits => hits[0].Id).Distinct().ToArray();
            double without = RuleFixture.Top1Agreement(exact,
                new RuleDecoder(data.Hnsw, rule, candidates: 1, biasCandidates: 0).DecodeBatch(data.Queries, 1));
            double with = RuleFixture.Top1Agreement(exact,
                new RuleDecoder(data.Hnsw, rule, candidates: 1, biasCandidates: 0, knownWords: known).DecodeBatch(data.Queries, 1));
            Assert.True(with == 1.0, $"{rule.Name}: agreement {with:F3} with the known words ({without:F3} without)");
            if (rule.Kind == RuleKind.Prior) Assert.True(without < 0.8, $"prior without known words: {without:F3}");
        }
    }

    [Fact]
    public void A_certified_answer_is_the_exact_one_whenever_the_candidates_are_the_true_nearest()
    {
        // An approximate index whose candidates are the true nearest (exact search behind the interface): a certified
        // answer must then be the exact one, and small candidate and bias sets can vouch for some answers, not all.
        var rule = Rule("prior");
        var exact = new RuleDecoder(data.Exact, rule).DecodeBatch(data.Queries, 1);
        var small = new RuleDecoder(new TrueNearest(data.Exact), rule, candidates: 16, biasCandidates: 32);
        int certifiedCount = 0;
        for (int i = 0; i < exact.Length; i++)
        {
            var query = data.Queries.AsSpan(i * Dim, Dim);
            var hits = small.Decode(query, 1, out bool certified);
            Assert.True(new RuleDecoder(data.Exact, rule).Decode(query, 1, out bool exactCertified).Length == 1 && exactCertified);
            if (!certified) continue;
            certifiedCount++;
            Assert.Equal(exact[i][0].Id, hits[0].Id);
        }
        Assert.InRange(certifiedCount, 1, exact.Length - 1);
    }

    /// <summary>Exact search seen only through <see cref="IVectorIndex"/>, so a decoder treats it as approximate.</summary>
    private sealed class TrueNearest(ExactIndex exact) : IVectorIndex
    {
        public int Count => exact.Count;
        public int Dim => exact.Dim;
        public Neighbor[] Search(ReadOnlySpan<float> query, int k) => exact.Search(query, k);
        public Neighbor[][] SearchBatch(ReadOnlySpan<float> queries, int k) => exact.SearchBatch(queries, k);
        public ReadOnlySpan<float> Vector(int id) => exact.Vector(id);
    }

    [Fact]
    public void A_batch_answers_as_single_queries_do()
    {
        // The bias set is scored for the whole batch at once (RuleDecoder.DecodeBatch) and one query at a time by Decode:
        // the same answers, with and without the query's length in the score, whether a bias-set word wins or not.
        var rules = new[] { Rule("prior"), DecodingRule.Posterior(data.Counts, 0.3), DecodingRule.Cosine() };
        foreach (IVectorIndex index in new IVectorIndex[] { data.Exact, data.Hnsw })
            foreach (var rule in rules)
                foreach (int biasCandidates in new[] { RuleDecoder.DefaultBiasCandidates, 7 })
                {
                    int[]? known = biasCandidates == 7 ? [5, 900, 12, 4000, 2222] : null;
                    var decoder = new RuleDecoder(index, rule, candidates: 3, biasCandidates: biasCandidates, knownWords: known);
                    var batch = decoder.DecodeBatch(data.Queries.AsSpan(0, 40 * Dim), 4, threads: 2);
                    for (int i = 0; i < 40; i++) Assert.Equal(batch[i], decoder.Decode(data.Queries.AsSpan(i * Dim, Dim), 4));
                }
    }

    [Fact]
    public void Queries_need_not_be_unit_length()
    {
        var decoder = new RuleDecoder(data.Hnsw, Rule("prior"));
        var query = data.Queries.AsSpan(0, Dim).ToArray();
        var scaled = query.Select(x => x * 7.5f).ToArray();
        Assert.Equal(decoder.Decode(query, 5).Select(h => h.Id), decoder.Decode(scaled, 5).Select(h => h.Id));
    }

    [Fact]
    public void Both_indexes_expose_the_same_unit_vectors()
    {
        foreach (int id in new[] { 0, 1, 777, data.Count - 1 })
        {
            Assert.Equal(1f, Simd.Dot(data.Hnsw.Vector(id), data.Hnsw.Vector(id)), 1e-5f);
            Assert.Equal(data.Exact.Vector(id).ToArray(), data.Hnsw.Vector(id).ToArray());
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Hnsw.Vector(data.Count).ToArray());
    }

    [Fact]
    public void Bad_arguments_are_rejected_with_clear_messages()
    {
        var prior = Rule("prior");
        foreach (IVectorIndex index in new IVectorIndex[] { data.Exact, data.Hnsw })
        {
            var decoder = new RuleDecoder(index, prior);
            Assert.Contains("k must be at least 1", Assert.Throws<ArgumentException>(() => decoder.Decode(new float[Dim], 0)).Message);
            Assert.Contains("k must be at least 1",
                            Assert.Throws<ArgumentException>(() => decoder.DecodeBatch(new float[Dim], 0)).Message);
            Assert.Contains("the query has 31 values, the index's vectors 32",
                            Assert.Throws<ArgumentException>(() => decoder.Decode(new float[Dim - 1], 1)).Message);
            Assert.Contains("not rows of the index's dimension 32",
                            Assert.Throws<ArgumentException>(() => decoder.DecodeBatch(new float[Dim + 1], 1)).Message);
            Assert.Contains($"the rule's bias has 10 values, the index {data.Count} vectors",
                            Assert.Throws<ArgumentException>(() => new RuleDecoder(index, prior with { Bias = new float[10] })).Message);
            Assert.Contains("candidates must be at least 1",
                            Assert.Throws<ArgumentException>(() => new RuleDecoder(index, prior, candidates: 0)).Message);
            Assert.Contains("biasCandidates must not be negative",
                            Assert.Throws<ArgumentException>(() => new RuleDecoder(index, prior, biasCandidates: -1)).Message);
            if (index is ExactIndex) continue;   // the exact decoder scores every word: known words change nothing
            Assert.Contains("the known words repeat an id",
                            Assert.Throws<ArgumentException>(() => new RuleDecoder(index, prior, knownWords: [3, 4, 3])).Message);
            Assert.Contains($"word id {data.Count} is not in 0..{data.Count - 1}",
                            Assert.Throws<ArgumentException>(() => new RuleDecoder(index, prior, knownWords: [3, data.Count])).Message);
        }
    }
}
