using System.Globalization;
using System.Text;
using VecLm.Embeddings;

namespace VecLm.Cli.Tests;

/// <summary>Inputs for the output-file tests: a corpus of many words, seeded vectors, and query files.</summary>
public static class OutputFiles
{
    /// <summary><paramref name="lines"/> lines of ten words drawn uniformly from w0…w(words-1).</summary>
    public static string Corpus(string path, int lines = 1500, int words = 900)
    {
        var random = new Random(3);
        File.WriteAllLines(path, Enumerable.Range(0, lines)
            .Select(_ => string.Join(' ', Enumerable.Range(0, 10).Select(_ => $"w{random.Next(words)}"))));
        return path;
    }

    /// <summary><paramref name="count"/> seeded random vectors w0…, of dimension <paramref name="dim"/>, with their .vocab.</summary>
    public static WordVectors Vectors(string path, int count = 2000, int dim = 8, int seed = 5)
    {
        var random = new Random(seed);
        var words = Enumerable.Range(0, count).Select(i => $"w{i}").ToArray();
        var data = Enumerable.Range(0, count * dim).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var vectors = new WordVectors(new Vocabulary(words, words.Select((_, i) => 100_000L - i).ToArray()), dim, data);
        vectors.Save(path);
        return vectors;
    }

    /// <summary>A query file of <paramref name="count"/> noisy copies of the vectors' rows, labelled q0….</summary>
    public static string Queries(string path, WordVectors vectors, int count, int seed = 9)
    {
        var random = new Random(seed);
        var text = new StringBuilder($"{count} {vectors.Dim}\n");
        for (int i = 0; i < count; i++)
        {
            var row = vectors[random.Next(vectors.Count)].ToArray();
            text.Append($"q{i}");
            foreach (float v in row) text.Append(' ').Append((v + (float)(random.NextDouble() - 0.5) * 0.2f).ToString("R", CultureInfo.InvariantCulture));
            text.Append('\n');
        }
        File.WriteAllText(path, text.ToString());
        return path;
    }
}
