namespace VecLm.Serving.Tests;

/// <summary>The page's PCA picture: points spread along one direction land on the x axis, in their order; nothing spread lies at 0.</summary>
public class ProjectionTests
{
    [Fact]
    public void PointsOnALineInSixtyFourDimensionsLandOnTheFirstAxisInOrder()
    {
        var random = new Random(3);
        var direction = Enumerable.Range(0, 64).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var offset = Enumerable.Range(0, 64).Select(_ => (float)random.NextDouble()).ToArray();
        var points = new[] { -2f, -1f, 0.5f, 3f }.Select(t => offset.Zip(direction, (o, d) => o + t * d).ToArray()).ToList();
        var xy = Projection.Pca(points);
        Assert.All(xy, p => Assert.True(Math.Abs(p.Y) < 1e-6, $"y = {p.Y}"));
        var xs = xy.Select(p => p.X).ToArray();
        bool increasing = xs.SequenceEqual(xs.Order()), decreasing = xs.SequenceEqual(xs.OrderDescending());
        Assert.True(increasing || decreasing, string.Join(", ", xs));
        Assert.Equal(1.0, xs.Max(Math.Abs), 6);
        // distances along the line are kept: |x(3) − x(0.5)| / |x(−1) − x(−2)| = 2.5
        Assert.Equal(2.5, Math.Abs(xs[3] - xs[2]) / Math.Abs(xs[1] - xs[0]), 4);
    }

    [Fact]
    public void TwoDirectionsGiveTwoAxesAndEqualPointsLieAtTheOrigin()
    {
        var a = new float[64]; a[5] = 2;
        var b = new float[64]; b[9] = 1;
        var xy = Projection.Pca([a, new float[64], b, new float[64]]);
        Assert.True(xy.Any(p => Math.Abs(p.Y) > 0.1), "the second component is empty");
        Assert.All(Projection.Pca([a, a, a]), p => Assert.Equal((0.0, 0.0), p));
        Assert.Equal((0.0, 0.0), Projection.Pca([a])[0]);
    }
}
