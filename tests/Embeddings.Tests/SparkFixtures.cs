using System.Globalization;

namespace VecLm.Embeddings.Tests;

/// <summary>
/// The Spark and GloVe fixtures (Fixtures/spark/make-fixtures.sh): Parquet written by Apache arrow-rs (parquet-wasm)
/// and hyparquet-writer in Spark's layouts, the same vectors as word2vec and GloVe text, and what DuckDB read from
/// every Parquet file (duckdb-read.txt), a reader apart from both the writers and the one under test.
/// </summary>
internal static class SparkFixtures
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "spark", name);

    public static string GloVe(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "glove", name);

    /// <summary>A copy of fixture folder <paramref name="name"/> (without its .vocab) in <paramref name="dir"/>.</summary>
    public static string Copy(TempDir dir, string name, string? target = null)
    {
        string to = dir.File(target ?? name);
        foreach (var file in Directory.EnumerateFiles(Path(name), "*", SearchOption.AllDirectories))
        {
            string copy = System.IO.Path.Combine(to, System.IO.Path.GetRelativePath(Path(name), file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
        return to;
    }

    /// <summary>The rows DuckDB read from the part files under <paramref name="prefix"/>, files by name, rows in order.</summary>
    public static List<(string Word, float[] Vector)> DuckDbRows(string prefix)
    {
        var rows = new List<(string, float[])>();
        bool inside = false;
        foreach (var line in File.ReadLines(Path("duckdb-read.txt")))
        {
            if (line.StartsWith("== ", StringComparison.Ordinal)) inside = line[3..].StartsWith(prefix, StringComparison.Ordinal);
            else if (inside && line.StartsWith("row: ", StringComparison.Ordinal))
            {
                var (word, values) = (line[5..line.IndexOf('\t')], line[(line.IndexOf('\t') + 1)..]);
                rows.Add((word, values.Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()));
            }
        }
        return rows;
    }
}
