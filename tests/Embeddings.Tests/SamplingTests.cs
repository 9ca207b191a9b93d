using VecLm.Embeddings;

namespace VecLm.Embeddings.Tests;

public class SamplingTests
{
    [Fact]
    public void NegativesFollowTheUnigramDistributionToThePowerThreeQuarters()
    {
        long[] counts = [1000, 500, 100, 10, 1, 0, 7];
        var sampler = new NegativeSampler(counts);
        double total = counts.Sum(c => Math.Pow(c, 0.75));
        for (int i = 0; i < counts.Length; i++) Assert.Equal(Math.Pow(counts[i], 0.75) / total, sampler.Probabilities[i], 12);

        var random = new Lcg(11);
        var seen = new int[counts.Length];
        const int draws = 2_000_000;
        for (int i = 0; i < draws; i++) seen[sampler.Sample(ref random)]++;
        for (int i = 0; i < counts.Length; i++)
        {
            double p = sampler.Probabilities[i];
            double sd = Math.Sqrt(draws * p * (1 - p));
            Assert.InRange(seen[i], draws * p - 5 * sd - 1, draws * p + 5 * sd + 1);
        }
        Assert.Equal(0, seen[5]);
    }

    [Fact]
    public void SubsamplingKeepsRareWordsAndThinsFrequentOnes()
    {
        long[] counts = [1_000_000, 1_000, 1];
        var subsampling = new Subsampling(counts, 1e-3);
        double t = 1e-3 * counts.Sum();
        Assert.Equal((Math.Sqrt(1_000_000 / t) + 1) * t / 1_000_000, subsampling.KeepProbability(0), 5);
        Assert.Equal(1f, subsampling.KeepProbability(1));
        Assert.Equal(1f, subsampling.KeepProbability(2));
        Assert.Equal(1f, new Subsampling(counts, 0).KeepProbability(0));
    }
}
