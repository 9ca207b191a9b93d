using System.Globalization;
using VecLm.Embeddings;
using VecLm.Embeddings.FastText;

namespace VecLm.Cli.Tests;

/// <summary>
/// <c>veclm neighbors --vectors model.bin</c> with a fastText model: its dictionary words as vectors, and a word outside
/// the dictionary answered from its n-grams, saying so.
/// </summary>
public class FastTextNeighborsTests
{
    private const int Dim = 8;

    /// <summary>A fastText model of 60 words w0…w59, n-grams of 4 and 5 characters in 300 buckets, random seeded rows.</summary>
    private static SubwordModel Model(TempDir dir)
    {
        var random = new Random(11);
        var words = Enumerable.Range(0, 60).Select(i => $"w{i}").ToArray();
        var args = new FastTextArgs { Dim = Dim, MinN = 4, MaxN = 5, Bucket = 300 };
        var input = Enumerable.Range(0, (60 + 300) * Dim).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var model = new SubwordModel(args, new Vocabulary(words, words.Select((_, i) => 100L - i).ToArray()), input, []);
        model.Save(dir.File("m.bin"));
        return model;
    }

    [Fact]
    public void AnUnknownWordIsAnsweredFromItsSubwords()
    {
        using var dir = new TempDir();
        var model = Model(dir);
        var result = Veclm.Run("neighbors", "--vectors", dir.File("m.bin"), "--exact", "w3", "xyzzy", "a", "-k", "3");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Word: w3  Position in vocabulary: 3", result.Stdout);
        int subwords = model.Rows("xyzzy").Length;
        Assert.Equal(7, subwords);   // "<xyzzy>": <xyz xyzz yzzy zzy> and <xyzz xyzzy yzzy>
        Assert.Contains($"'xyzzy' is not in the vocabulary: its vector is built from {subwords} subwords\n", result.Stdout);
        // Its neighbours: the words nearest its subwords' mean, by cosine.
        var vectors = model.WordVectors();
        var query = model.Vector("xyzzy");
        var expected = Enumerable.Range(0, vectors.Count)
            .OrderByDescending(id => VectorMath.Cosine(query, vectors[id])).ThenBy(id => id).Take(3)
            .Select(id => vectors.Vocabulary[id]).ToList();
        var block = result.Stdout[result.Stdout.IndexOf("'xyzzy'", StringComparison.Ordinal)..].Split('\n').Skip(1).Take(3);
        Assert.Equal(expected, block.Select(l => l.Split('\t')[0].Trim()));
        var cosine = float.Parse(block.First().Split('\t')[1], CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(VectorMath.Cosine(query, vectors[expected[0]]) - cosine) < 1e-5, $"cosine {cosine}");
        // "<a>" is 3 characters: no n-gram of 4 or 5, so no vector.
        Assert.Equal("veclm: warning: 'a' is not in the vocabulary\n", result.Stderr);
    }

    [Fact]
    public void WordVectorsFilesKeepTheirBehaviourAndAnalogiesNeedKnownWords()
    {
        using var dir = new TempDir();
        var model = Model(dir);
        // The .vec beside the model (word2vec text) has no subwords: the unknown word is only reported.
        var vec = Veclm.Run("neighbors", "--vectors", dir.File("m.vec"), "--exact", "w3", "xyzzy", "-k", "3");
        Assert.Equal(0, vec.ExitCode);
        Assert.Equal("veclm: warning: 'xyzzy' is not in the vocabulary\n", vec.Stderr);
        var bin = Veclm.Run("neighbors", "--vectors", dir.File("m.bin"), "--exact", "w3", "-k", "3");
        Assert.Equal(vec.Stdout, bin.Stdout);   // the same vectors, from the model or its .vec
        var analogy = Veclm.Run("neighbors", "--vectors", dir.File("m.bin"), "--exact", "--positive", "w1", "xyzzy", "--negative", "w2");
        Assert.Equal(2, analogy.ExitCode);
        Assert.Contains("'xyzzy' is not in the vocabulary", analogy.Stderr);
        Assert.True(model.Rows("xyzzy").Length > 0);
    }
}
