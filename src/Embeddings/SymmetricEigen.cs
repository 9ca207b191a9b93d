namespace VecLm.Embeddings;

/// <summary>
/// Eigenvalues and eigenvectors of a small real symmetric matrix by the cyclic Jacobi method (Golub &amp; Van Loan,
/// §8.5): plane rotations zero the off-diagonal entries one by one until they are negligible. Double precision;
/// meant for covariance matrices of word vectors (64 × 64 here), where it converges in a handful of sweeps.
/// </summary>
public static class SymmetricEigen
{
    /// <summary>
    /// The eigen-decomposition of <paramref name="matrix"/> (n × n, row-major, symmetric; not modified): eigenvalues
    /// in decreasing order and the matching unit eigenvectors as rows. Each vector's sign is fixed so that its
    /// largest-magnitude component is positive, so the result does not depend on rounding.
    /// </summary>
    public static (double[] Values, double[][] Vectors) Decompose(ReadOnlySpan<double> matrix, int n)
    {
        if (n < 1) throw new ArgumentException($"the matrix size must be positive (got {n})");
        if (matrix.Length != n * n) throw new ArgumentException($"{matrix.Length} values are not a {n} × {n} matrix");
        var a = matrix.ToArray();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
                if (Math.Abs(a[i * n + j] - a[j * n + i]) > 1e-9 * (1 + Math.Abs(a[i * n + j])))
                    throw new ArgumentException($"the matrix is not symmetric at ({i}, {j})");
        var v = new double[n * n];
        for (int i = 0; i < n; i++) v[i * n + i] = 1;

        for (int sweep = 0; sweep < 100 && OffDiagonal(a, n) > 1e-30 * (1 + Diagonal(a, n)); sweep++)
        {
            for (int p = 0; p < n - 1; p++)
                for (int q = p + 1; q < n; q++)
                    Rotate(a, v, n, p, q);
        }

        var order = Enumerable.Range(0, n).OrderByDescending(i => a[i * n + i]).ThenBy(i => i).ToArray();
        var values = order.Select(i => a[i * n + i]).ToArray();
        var vectors = order.Select(i =>
        {
            var column = new double[n];
            for (int r = 0; r < n; r++) column[r] = v[r * n + i];
            int largest = 0;
            for (int r = 1; r < n; r++) if (Math.Abs(column[r]) > Math.Abs(column[largest])) largest = r;
            if (column[largest] < 0) for (int r = 0; r < n; r++) column[r] = -column[r];
            return column;
        }).ToArray();
        return (values, vectors);
    }

    /// <summary>One Jacobi rotation in the (p, q) plane that zeroes a[p, q]; v accumulates the rotations (columns).</summary>
    private static void Rotate(double[] a, double[] v, int n, int p, int q)
    {
        double apq = a[p * n + q];
        if (Math.Abs(apq) < 1e-300) return;
        double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        double t = Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
        if (theta == 0) t = 1;
        double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
        for (int k = 0; k < n; k++)
        {
            double akp = a[k * n + p], akq = a[k * n + q];
            a[k * n + p] = c * akp - s * akq;
            a[k * n + q] = s * akp + c * akq;
        }
        for (int k = 0; k < n; k++)
        {
            double apk = a[p * n + k], aqk = a[q * n + k];
            a[p * n + k] = c * apk - s * aqk;
            a[q * n + k] = s * apk + c * aqk;
        }
        for (int k = 0; k < n; k++)
        {
            double vkp = v[k * n + p], vkq = v[k * n + q];
            v[k * n + p] = c * vkp - s * vkq;
            v[k * n + q] = s * vkp + c * vkq;
        }
    }

    private static double OffDiagonal(double[] a, int n)
    {
        double sum = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (i != j) sum += a[i * n + j] * a[i * n + j];
        return sum;
    }

    private static double Diagonal(double[] a, int n)
    {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += a[i * n + i] * a[i * n + i];
        return sum;
    }
}
