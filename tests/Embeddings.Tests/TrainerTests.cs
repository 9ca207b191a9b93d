using System.Security.Cryptography;
using VecLm.Embeddings;

namespace VecLm.Embeddings.Tests;

public class TrainerTests
{
    /// <summary>
    /// "cat" and "dog" appear in exactly the same contexts, each other word in its own: after training they are each
    /// other's nearest neighbour.
    /// </summary>
    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(false, 2)]   // two lock-free threads
    [InlineData(true, 2)]
    public void WordsThatShareContextsBecomeNearestNeighbours(bool cbow, int threads)
    {
        using var dir = new TempDir();
        var random = new Random(1);
        var lines = new List<string>();
        string[] verbs = ["eats", "sees", "likes", "chases", "finds", "hears"];
        string[] others = ["car", "tree", "house", "road", "river", "stone", "cloud", "lamp"];
        for (int i = 0; i < 3000; i++)
        {
            string verb = verbs[random.Next(verbs.Length)];
            string pet = random.Next(2) == 0 ? "cat" : "dog";
            lines.Add($"the {pet} {verb} food");
            string other = others[random.Next(others.Length)];
            lines.Add($"a {other} {other}_context{random.Next(3)} stands");
        }
        File.WriteAllLines(dir.File("c.txt"), lines);
        var options = new Word2VecOptions { Dim = 16, Window = 2, MinCount = 1, Epochs = 5, Threads = threads, Seed = 3, Cbow = cbow, Sample = 0 };
        var vectors = Word2VecTrainer.Train(dir.File("c.txt"), options).Vectors;

        Assert.Equal("dog", Nearest(vectors, "cat"));
        Assert.Equal("cat", Nearest(vectors, "dog"));
    }

    private static string Nearest(WordVectors vectors, string word)
    {
        int id = vectors.Vocabulary.TryGetId(word, out int w) ? w : throw new KeyNotFoundException(word);
        return Enumerable.Range(0, vectors.Count).Where(i => i != id)
            .MaxBy(i => VectorMath.Cosine(vectors[i], vectors[id])) is var best ? vectors.Vocabulary[best] : "";
    }

    [Fact]
    public void OneThreadWithASeedIsReproducibleBitForBit()
    {
        using var dir = new TempDir();
        var random = new Random(5);
        File.WriteAllLines(dir.File("c.txt"), Enumerable.Range(0, 2000)
            .Select(_ => string.Join(' ', Enumerable.Range(0, 12).Select(_ => $"w{(int)Math.Sqrt(random.Next(400))}"))));
        var options = new Word2VecOptions { Dim = 12, MinCount = 2, Epochs = 2, Threads = 1, Seed = 7 };
        Word2VecTrainer.Train(dir.File("c.txt"), options).Vectors.Save(dir.File("a.bin"));
        Word2VecTrainer.Train(dir.File("c.txt"), options).Vectors.Save(dir.File("b.bin"));
        Word2VecTrainer.Train(dir.File("c.txt"), options with { Seed = 8 }).Vectors.Save(dir.File("c.bin"));
        Assert.Equal(Hash(dir.File("a.bin")), Hash(dir.File("b.bin")));
        Assert.NotEqual(Hash(dir.File("a.bin")), Hash(dir.File("c.bin")));
    }

    [Fact]
    public void SeveralThreadsTrainEveryWord()
    {
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("c.txt"), Enumerable.Range(0, 4000).Select(i => $"a b{i % 50} c d{i % 7}"));
        var options = new Word2VecOptions { Dim = 8, MinCount = 1, Epochs = 2, Threads = 3, Sample = 0 };
        var result = Word2VecTrainer.Train(dir.File("c.txt"), options);
        Assert.Equal(4000 * 5 * 2, result.Words);
        Assert.All(Enumerable.Range(0, result.Vectors.Count), i => Assert.True(float.IsFinite(result.Vectors[i][0])));
    }

    [Fact]
    public void InvalidOptionsAreRejectedBeforeAnyWork()
    {
        Assert.Throws<BadInputException>(() => Word2VecTrainer.Train("/nonexistent", new Word2VecOptions { Dim = 0 }));
        Assert.Throws<BadInputException>(() => new Word2VecOptions { Window = -1 }.Validate());
        Assert.Throws<BadInputException>(() => new Word2VecOptions { Alpha = -0.1 }.Validate());
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
