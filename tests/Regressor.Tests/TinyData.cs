using VecLm.Embeddings;

namespace VecLm.Regressor.Tests;

/// <summary>Tiny corpora and random vectors for the tests, written into a <see cref="TempDir"/>.</summary>
internal static class TinyData
{
    public static readonly string[] Sentences =
    [
        "the cat sat on the mat",
        "a dog ran in the park",
        "my bird sang a song",
        "the old man read his paper",
        "a child drew a red house",
    ];

    /// <summary><paramref name="lines"/> sentences picked at random (seeded) from <see cref="Sentences"/>.</summary>
    public static string Corpus(TempDir dir, int lines, int seed = 1, string name = "train.txt")
    {
        var random = new Random(seed);
        var text = Enumerable.Range(0, lines).Select(_ => Sentences[random.Next(Sentences.Length)]);
        string path = dir.File(name);
        File.WriteAllLines(path, text);
        return path;
    }

    public static string Repeated(TempDir dir, string sentence, int lines, string name = "repeat.txt")
    {
        string path = dir.File(name);
        File.WriteAllLines(path, Enumerable.Repeat(sentence, lines));
        return path;
    }

    /// <summary>Random Gaussian vectors for &lt;/s&gt;, &lt;unk&gt; and every word of the sentences given.</summary>
    public static WordVectors Vectors(IEnumerable<string> sentences, int dim = 16, int seed = 7)
    {
        var words = new List<string> { Vocabulary.EndOfSentence, Vocabulary.Unknown };
        words.AddRange(sentences.SelectMany(s => s.Split(' ')).Distinct(StringComparer.Ordinal));
        var random = new Random(seed);
        var data = new float[words.Count * dim];
        for (int i = 0; i < data.Length; i++)
            data[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        var counts = Enumerable.Range(0, words.Count).Select(i => (long)(words.Count - i)).ToArray();
        return new WordVectors(new Vocabulary(words, counts), dim, data);
    }

    public static string SaveVectors(TempDir dir, WordVectors vectors, string name = "vectors.bin")
    {
        string path = dir.File(name);
        vectors.Save(path);
        return path;
    }

    /// <summary>Options for a small, fast, single-threaded, seeded run.</summary>
    public static TrainOptions Options(string train, string vectors, string output, LossKind loss) => new()
    {
        TrainPath = train, VectorsPath = vectors, OutputDir = output, Loss = loss,
        Hidden = 32, Layers = 2, Dropout = 0, Bptt = 8, Batch = 4, Epochs = 100, LearningRate = 1e-2,
        Threads = 1, Seed = 1,
    };
}
