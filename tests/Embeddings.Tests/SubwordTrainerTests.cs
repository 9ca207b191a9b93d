using VecLm.Embeddings.FastText;

namespace VecLm.Embeddings.Tests;

public class SubwordTrainerTests
{
    /// <summary>
    /// Two families of word forms live in two kinds of sentence. "walking" never occurs, yet its vector — built from
    /// n-grams it shares with "walk", "walks", "walked" — lands among its family, not among "sleep"'s.
    /// </summary>
    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(false, 2)]   // two threads, lock-free
    public void AnUnseenWordFormLandsAmongItsFamily(bool cbow, int threads)
    {
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("c.txt"), Corpus(new Random(2)));
        var options = new Word2VecOptions { Dim = 16, Window = 3, MinCount = 1, Epochs = 5, Threads = threads, Seed = 3, Cbow = cbow, Sample = 0 };
        var model = SubwordTrainer.Train(dir.File("c.txt"), options, new SubwordOptions { Buckets = 20_000 }).Model;

        Assert.False(model.Contains("walking"));
        var walking = model.Vector("walking");
        double family = new[] { "walk", "walks", "walked" }.Average(w => VectorMath.Cosine(walking, model.Vector(w)));
        double other = new[] { "sleep", "sleeps", "slept" }.Average(w => VectorMath.Cosine(walking, model.Vector(w)));
        Assert.True(family > other + 0.2, $"cosine to its family {family:0.000}, to the other {other:0.000}");
    }

    private static IEnumerable<string> Corpus(Random random)
    {
        string[] walk = ["walk", "walks", "walked"], sleep = ["sleep", "sleeps", "slept"];
        string[] parks = ["park", "street", "hill", "road"], beds = ["bed", "sofa", "couch", "floor"];
        for (int i = 0; i < 3000; i++)
        {
            yield return $"dogs {walk[random.Next(3)]} in the {parks[random.Next(4)]} outside";
            yield return $"cats {sleep[random.Next(3)]} on the {beds[random.Next(4)]} inside";
        }
    }

    [Fact]
    public void OneThreadWithASeedIsReproducibleBitForBit()
    {
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("c.txt"), Corpus(new Random(4)).Take(1000));
        var options = new Word2VecOptions { Dim = 8, MinCount = 2, Epochs = 2, Threads = 1, Seed = 7 };
        var subwords = new SubwordOptions { Buckets = 5_000 };
        var a = SubwordTrainer.Train(dir.File("c.txt"), options, subwords).Model;
        var b = SubwordTrainer.Train(dir.File("c.txt"), options, subwords).Model;
        var c = SubwordTrainer.Train(dir.File("c.txt"), options with { Seed = 8 }, subwords).Model;
        Assert.Equal(a.Input, b.Input);
        Assert.Equal(a.Output, b.Output);
        Assert.NotEqual(a.Input, c.Input);
    }

    [Fact]
    public void EachWordIsItsOwnRowAndItsNgramsButUnknownAndEndOfSentenceHaveNoNgrams()
    {
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("c.txt"), ["ab ab ab rare", "ab ab"]);
        var options = new Word2VecOptions { Dim = 4, MinCount = 2, Epochs = 1, Threads = 1 };
        var model = SubwordTrainer.Train(dir.File("c.txt"), options, new SubwordOptions { MinN = 2, MaxN = 3, Buckets = 100 }).Model;
        var vocabulary = model.Vocabulary;
        Assert.True(vocabulary.TryGetId("ab", out int ab));
        // "<ab>": <a ab b> <ab ab>: five n-grams of two or three characters.
        Assert.Equal(6, model.Rows(ab).Length);
        Assert.Equal(ab, model.Rows(ab)[0]);
        Assert.All(model.Rows(ab)[1..].ToArray(), r => Assert.InRange(r, vocabulary.Count, vocabulary.Count + 99));
        Assert.Equal([vocabulary.UnknownId], model.Rows(vocabulary.UnknownId).ToArray());
        Assert.Equal([vocabulary.EndOfSentenceId], model.Rows(vocabulary.EndOfSentenceId).ToArray());
        // A string out of the vocabulary has its n-gram rows only.
        Assert.Equal(5, model.Rows("xy").Length);
    }

    [Theory]
    [InlineData(4, 3, 100)]
    [InlineData(0, 3, 100)]
    [InlineData(3, 6, 0)]
    public void BadSubwordOptionsAreOneClearError(int minn, int maxn, int buckets)
    {
        var e = Assert.Throws<BadInputException>(() => new SubwordOptions { MinN = minn, MaxN = maxn, Buckets = buckets }.Validate());
        Assert.Contains("--", e.Message);
    }
}
