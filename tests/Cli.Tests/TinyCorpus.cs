using VecLm.Embeddings;

namespace VecLm.Cli.Tests;

/// <summary>A tiny corpus of three sentences repeated at random, and random vectors for its words, in a test folder.</summary>
public static class TinyCorpus
{
    public static readonly string[] Sentences = ["the cat sat on the mat", "a dog ran in the park", "my bird sang a song"];

    /// <summary>
    /// Writes <paramref name="lines"/> random sentences to <c>train.txt</c> and random vectors of dimension
    /// <paramref name="dim"/> for &lt;/s&gt;, &lt;unk&gt; and every word to <c>vectors.bin</c>; returns both paths.
    /// </summary>
    public static (string Corpus, string Vectors) Write(TempDir dir, int lines = 60, int dim = 8, int seed = 5)
    {
        var random = new Random(seed);
        string corpus = dir.File("train.txt");
        File.WriteAllLines(corpus, Lines(random, lines));
        var words = new List<string> { Vocabulary.EndOfSentence, Vocabulary.Unknown };
        words.AddRange(Sentences.SelectMany(s => s.Split(' ')).Distinct());
        var data = Enumerable.Range(0, words.Count * dim).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        string vectors = dir.File("vectors.bin");
        new WordVectors(new Vocabulary(words, words.Select((_, i) => (long)(words.Count - i)).ToArray()), dim, data).Save(vectors);
        return (corpus, vectors);
    }

    /// <summary><paramref name="count"/> sentences drawn from <see cref="Sentences"/>.</summary>
    public static IEnumerable<string> Lines(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ => Sentences[random.Next(Sentences.Length)]).ToList();
}
