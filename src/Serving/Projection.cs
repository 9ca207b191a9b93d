using VecLm.Embeddings;

namespace VecLm.Serving;

/// <summary>
/// The page's 2-D picture: a few vectors projected on their two principal components, scaled to fit [−1, 1]. The
/// components come from the n × n Gram matrix of the centred points (n ≤ k + 1 points, far fewer than 64 dimensions:
/// PCA scores are √λⱼ·uⱼ of its eigenvectors, <see cref="SymmetricEigen"/>), so a request spends microseconds on it,
/// not the milliseconds a 64 × 64 covariance takes. Fewer than two points, or points that do not spread, lie at the origin.
/// </summary>
public static class Projection
{
    public static (double X, double Y)[] Pca(IReadOnlyList<float[]> points)
    {
        int n = points.Count;
        var result = new (double X, double Y)[n];
        if (n < 2) return result;
        int dim = points[0].Length;
        var centred = new double[n][];
        for (int r = 0; r < n; r++) centred[r] = new double[dim];
        for (int j = 0; j < dim; j++)
        {
            double mean = 0;
            for (int r = 0; r < n; r++) mean += points[r][j];
            mean /= n;
            for (int r = 0; r < n; r++) centred[r][j] = points[r][j] - mean;
        }
        var gram = new double[n * n];
        for (int a = 0; a < n; a++)
            for (int b = a; b < n; b++)
            {
                double dot = 0;
                for (int j = 0; j < dim; j++) dot += centred[a][j] * centred[b][j];
                gram[a * n + b] = gram[b * n + a] = dot;
            }
        var (values, vectors) = SymmetricEigen.Decompose(gram, n);
        double sx = Math.Sqrt(Math.Max(values[0], 0)), sy = n > 1 ? Math.Sqrt(Math.Max(values[1], 0)) : 0;
        double scale = 0;
        for (int r = 0; r < n; r++)
        {
            result[r] = (sx * vectors[0][r], sy * vectors[1][r]);
            scale = Math.Max(scale, Math.Max(Math.Abs(result[r].X), Math.Abs(result[r].Y)));
        }
        if (scale <= 1e-9) return new (double X, double Y)[n];
        for (int r = 0; r < n; r++) result[r] = (result[r].X / scale, result[r].Y / scale);
        return result;
    }
}
