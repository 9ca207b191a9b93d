using VecLm.Embeddings;

namespace VecLm.Serving;

/// <summary>
/// The page's 2-D picture: a few vectors projected on their two principal components (PCA of their covariance,
/// <see cref="SymmetricEigen"/>), scaled to fit [−1, 1]. Fewer than two points, or points that do not spread, lie
/// at the origin.
/// </summary>
public static class Projection
{
    public static (double X, double Y)[] Pca(IReadOnlyList<float[]> points)
    {
        int n = points.Count;
        var result = new (double X, double Y)[n];
        if (n < 2) return result;
        int dim = points[0].Length;
        var mean = new double[dim];
        foreach (var p in points)
            for (int j = 0; j < dim; j++) mean[j] += p[j] / (double)n;
        var covariance = new double[dim * dim];
        foreach (var p in points)
            for (int i = 0; i < dim; i++)
            {
                double di = p[i] - mean[i];
                for (int j = 0; j < dim; j++) covariance[i * dim + j] += di * (p[j] - mean[j]);
            }
        var (values, vectors) = SymmetricEigen.Decompose(covariance, dim);
        double scale = 0;
        for (int r = 0; r < n; r++)
        {
            double x = 0, y = 0;
            for (int j = 0; j < dim; j++)
            {
                double d = points[r][j] - mean[j];
                x += d * vectors[0][j];
                if (dim > 1 && values[1] > 0) y += d * vectors[1][j];
            }
            result[r] = (x, y);
            scale = Math.Max(scale, Math.Max(Math.Abs(x), Math.Abs(y)));
        }
        if (scale <= 1e-12) return new (double X, double Y)[n];
        for (int r = 0; r < n; r++) result[r] = (result[r].X / scale, result[r].Y / scale);
        return result;
    }
}
