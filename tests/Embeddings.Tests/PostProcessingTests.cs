namespace VecLm.Embeddings.Tests;

/// <summary>Target post-processing (raw, center, all-but-the-top) on hand-made matrices, and its file round trip.</summary>
public class PostProcessingTests
{
    private static WordVectors Make(params float[][] rows)
    {
        var words = Enumerable.Range(0, rows.Length).Select(i => $"w{i}").ToArray();
        var counts = Enumerable.Range(0, rows.Length).Select(i => (long)(rows.Length - i)).ToArray();
        return new WordVectors(new Vocabulary(words, counts), rows[0].Length, rows.SelectMany(r => r).ToArray());
    }

    private static void AssertRow(float[] data, int row, params double[] expected)
    {
        for (int j = 0; j < expected.Length; j++)
            Assert.True(Math.Abs(data[row * expected.Length + j] - expected[j]) < 1e-5,
                $"row {row}[{j}] = {data[row * expected.Length + j]}, expected {expected[j]}");
    }

    [Fact]
    public void RawScalesRowsToUnitLength()
    {
        var vectors = Make([3, 4], [0, -2]);
        var raw = PostProcessing.Raw.Fit(vectors).Apply(vectors);
        AssertRow(raw, 0, 0.6, 0.8);
        AssertRow(raw, 1, 0, -1);
    }

    [Fact]
    public void CenterSubtractsTheMeanOfTheUnitRowsAndRenormalises()
    {
        // Unit rows (1,0), (0,1), (0.6,0.8) (the last given as (3,4)): mean (1.6/3, 1.8/3).
        var vectors = Make([2, 0], [0, 1], [3, 4]);
        var fitted = PostProcessing.Center.Fit(vectors);
        Assert.Equal(1.6 / 3, fitted.Mean[0], 6);
        Assert.Equal(1.8 / 3, fitted.Mean[1], 6);
        var centred = fitted.Apply(vectors);
        // (1 − 0.5333, −0.6) / ‖·‖ and so on.
        static double[] Unit(double x, double y) { double n = Math.Sqrt(x * x + y * y); return [x / n, y / n]; }
        AssertRow(centred, 0, Unit(1 - 1.6 / 3, -1.8 / 3));
        AssertRow(centred, 1, Unit(-1.6 / 3, 1 - 1.8 / 3));
        AssertRow(centred, 2, Unit(0.6 - 1.6 / 3, 0.8 - 1.8 / 3));
    }

    [Fact]
    public void AllButTheTopRemovesTheLargestPrincipalDirections()
    {
        // Centred, the rows spread most along x (variance 0.405), then z (0.32), hardly along y.
        float y = (float)Math.Sqrt(1 - 0.81);
        var vectors = Make([0.9f, y, 0], [-0.9f, y, 0], [0, 0.6f, 0.8f], [0, 0.6f, -0.8f]);
        double meanY = (2 * y + 1.2) / 4;
        var one = PostProcessing.Parse("abtt:1").Fit(vectors);
        Assert.Single(one.Directions);
        AssertRow(one.Directions[0], 0, 1, 0, 0);
        var data = one.Apply(vectors);
        AssertRow(data, 0, 0, -1, 0);                     // (0.9, y − ȳ, 0) without x: only the (negative) y part is left
        double n = Math.Sqrt((0.6 - meanY) * (0.6 - meanY) + 0.64);
        AssertRow(data, 2, 0, (0.6 - meanY) / n, 0.8 / n); // no x component to remove

        var two = PostProcessing.Parse("abtt").Fit(vectors);
        Assert.Equal(2, two.Directions.Length);
        AssertRow(two.Directions[1], 0, 0, 0, 1);
        AssertRow(two.Apply(vectors), 2, 0, 1, 0);        // x and z removed: only y is left
    }

    [Fact]
    public void AFittedPostProcessingSurvivesSaveAndLoad()
    {
        using var dir = new TempDir();
        var random = new Random(3);
        var rows = Enumerable.Range(0, 50).Select(_ => Enumerable.Range(0, 8).Select(_ => (float)random.NextDouble() + 0.5f).ToArray()).ToArray();
        var vectors = Make(rows);
        foreach (var spec in new[] { "raw", "center", "abtt:3" })
        {
            var fitted = PostProcessing.Parse(spec).Fit(vectors);
            string path = dir.File($"{spec.Replace(':', '-')}.json");
            fitted.Save(path);
            var loaded = PostProcessor.Load(path);
            Assert.Equal(spec, loaded.Spec);
            Assert.Equal(fitted.Apply(vectors), loaded.Apply(vectors));
        }
    }

    [Fact]
    public void CentredRandomWordsAreNoLongerAllAlike()
    {
        // A common offset makes every pair of unit rows similar; centring takes it away.
        var random = new Random(5);
        var rows = Enumerable.Range(0, 400).Select(_ => Enumerable.Range(0, 16)
            .Select(j => (float)(random.NextDouble() - 0.5 + (j == 0 ? 3 : 0))).ToArray()).ToArray();
        var vectors = Make(rows);
        double MeanCosine(float[] data) => Enumerable.Range(0, 200).Average(i =>
            (double)Simd.Dot(data.AsSpan(2 * i * 16, 16), data.AsSpan((2 * i + 1) * 16, 16)));
        Assert.True(MeanCosine(PostProcessing.Raw.Fit(vectors).Apply(vectors)) > 0.8);
        Assert.True(Math.Abs(MeanCosine(PostProcessing.Center.Fit(vectors).Apply(vectors))) < 0.05);
    }

    [Theory]
    [InlineData("Center", "center")]
    [InlineData("abtt", "abtt:2")]
    [InlineData(" abtt:5 ", "abtt:5")]
    public void SpecsParse(string text, string canonical) => Assert.Equal(canonical, PostProcessing.Parse(text).ToString());

    [Theory]
    [InlineData("")]
    [InlineData("whiten")]
    [InlineData("abtt:0")]
    [InlineData("abtt:-1")]
    [InlineData("abtt:x")]
    public void BadSpecsAreRejected(string text) =>
        Assert.Contains("--targets", Assert.Throws<BadInputException>(() => PostProcessing.Parse(text)).Message);

    [Fact]
    public void ACorruptFileIsRejected()
    {
        using var dir = new TempDir();
        string path = dir.File("targets.json");
        File.WriteAllText(path, "{\"targets\":\"center\",\"mean\":[0.1,0.2],\"directions\":[[1]]}");
        Assert.Throws<InvalidDataException>(() => PostProcessor.Load(path));
        File.WriteAllText(path, "{\"targets\":");
        Assert.Throws<InvalidDataException>(() => PostProcessor.Load(path));
    }

    [Fact]
    public void JacobiGivesOrthonormalEigenvectorsInDecreasingOrder()
    {
        const int n = 64;
        var random = new Random(11);
        var b = Enumerable.Range(0, n * n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var a = new double[n * n];   // A = BᵀB, symmetric positive semi-definite
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                for (int k = 0; k < n; k++) a[i * n + j] += b[k * n + i] * b[k * n + j];
        var (values, vectors) = SymmetricEigen.Decompose(a, n);
        for (int e = 0; e < n; e++)
        {
            if (e > 0) Assert.True(values[e] <= values[e - 1]);
            for (int i = 0; i < n; i++)
            {
                double av = 0;
                for (int j = 0; j < n; j++) av += a[i * n + j] * vectors[e][j];
                Assert.True(Math.Abs(av - values[e] * vectors[e][i]) < 1e-8, $"A v ≠ λ v for eigenvector {e}");
            }
            for (int f = 0; f <= e; f++)
                Assert.Equal(e == f ? 1.0 : 0.0, vectors[e].Zip(vectors[f], (x, y) => x * y).Sum(), 9);
        }
    }
}
