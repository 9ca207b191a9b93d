using VecLm.Embeddings;
using VecLm.Regressor.Generation;

namespace VecLm.Regressor.Tests;

/// <summary>The sampler on hand-made distributions: greedy, nucleus cut, temperature and sampled frequencies.</summary>
public class SamplerTests
{
    private static double[] Logits(params double[] probabilities) => probabilities.Select(p => Math.Log(p)).ToArray();

    [Fact]
    public void TemperatureZeroIsTheArgMaxEveryTime()
    {
        var sampler = new Sampler(temperature: 0, topP: 1, seed: 3);
        double[] logits = [0.1, 2.5, -1, 2.4];
        Assert.All(Enumerable.Range(0, 200), _ => Assert.Equal(1, sampler.Next(logits)));
        Assert.Equal([0, 1, 0, 0], sampler.Distribution(logits));
    }

    [Fact]
    public void ATinyTopPAlwaysGivesTheTopWord()
    {
        var sampler = new Sampler(temperature: 1, topP: 1e-6, seed: 3);
        var logits = Logits(0.2, 0.35, 0.3, 0.15);
        Assert.All(Enumerable.Range(0, 500), _ => Assert.Equal(1, sampler.Next(logits)));
    }

    [Theory]
    [InlineData(0.65, new[] { 0, 4 / 7.0, 0, 3 / 7.0 })]      // 0.4 < 0.65 ≤ 0.4 + 0.3
    [InlineData(0.70, new[] { 0, 4 / 7.0, 0, 3 / 7.0 })]      // 0.4 + 0.3 reaches 0.7 exactly: no third word
    [InlineData(0.71, new[] { 0, 4 / 9.0, 2 / 9.0, 3 / 9.0 })]
    [InlineData(0.40, new[] { 0, 1.0, 0, 0 })]
    [InlineData(1.00, new[] { 0.1, 0.4, 0.2, 0.3 })]
    public void TheNucleusIsTheSmallestTopSetThatReachesTopP(double topP, double[] expected)
    {
        var p = new Sampler(temperature: 1, topP: topP).Distribution(Logits(0.1, 0.4, 0.2, 0.3));
        for (int i = 0; i < p.Length; i++) Assert.Equal(expected[i], p[i], 12);
    }

    [Fact]
    public void TemperatureSharpensOrFlattens()
    {
        // softmax(log p / T) ∝ p^(1/T): T = 0.5 squares the probabilities, T = 2 takes their square root.
        var logits = Logits(0.5, 0.3, 0.2);
        var sharp = new Sampler(temperature: 0.5).Distribution(logits);
        Assert.Equal(0.25 / 0.38, sharp[0], 12);
        Assert.Equal(0.04 / 0.38, sharp[2], 12);
        var flat = new Sampler(temperature: 2).Distribution(logits);
        double z = Math.Sqrt(0.5) + Math.Sqrt(0.3) + Math.Sqrt(0.2);
        Assert.Equal(Math.Sqrt(0.3) / z, flat[1], 12);
    }

    [Fact]
    public void SampledFrequenciesMatchTheProbabilities()
    {
        double[] probabilities = [0.5, 0.25, 0.15, 0.07, 0.03];
        var sampler = new Sampler(temperature: 1, topP: 1, seed: 11);
        var logits = Logits(probabilities);
        const int draws = 100_000;
        var counts = new int[probabilities.Length];
        for (int i = 0; i < draws; i++) counts[sampler.Next(logits)]++;
        // 5 standard deviations of a binomial proportion at p = 0.5 and n = 1e5 is 0.0079.
        for (int i = 0; i < counts.Length; i++) Assert.InRange((double)counts[i] / draws, probabilities[i] - 0.008, probabilities[i] + 0.008);
    }

    [Fact]
    public void TheSameSeedGivesTheSameDraws()
    {
        var logits = Logits(0.3, 0.3, 0.4);
        int[] Draws(int seed) { var s = new Sampler(1, 1, seed); return Enumerable.Range(0, 50).Select(_ => s.Next(logits)).ToArray(); }
        Assert.Equal(Draws(5), Draws(5));
        Assert.NotEqual(Draws(5), Draws(6));
    }

    [Theory]
    [InlineData(-0.1, 0.9, "--temperature")]
    [InlineData(double.NaN, 0.9, "--temperature")]
    [InlineData(1, 0, "--top-p")]
    [InlineData(1, 1.5, "--top-p")]
    public void InvalidSettingsAreRejected(double temperature, double topP, string mentions)
    {
        var e = Assert.Throws<BadInputException>(() => new Sampler(temperature, topP));
        Assert.Contains(mentions, e.Message);
    }
}
