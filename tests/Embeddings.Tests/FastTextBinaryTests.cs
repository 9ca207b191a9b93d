using System.Globalization;
using VecLm.Embeddings.FastText;
using static VecLm.Embeddings.Tests.FastTextFixtures;

namespace VecLm.Embeddings.Tests;

/// <summary>
/// fastText's <c>.bin</c>: models made by fastText 0.9.2 read to the vectors it prints itself, for words in and out of
/// its dictionary; written back byte for byte; loaded as word vectors wherever VecLm takes a vectors file.
/// </summary>
public class FastTextBinaryTests
{
    [Theory]
    [InlineData("small")]       // skipgram, minn 2, maxn 4
    [InlineData("cbow5")]       // cbow, minn = maxn = 5, as Facebook's cc.*.300.bin
    [InlineData("hs")]          // hierarchical softmax
    [InlineData("words-only")]  // maxn 0 (no n-grams), 100 unused bucket rows
    public void VectorsAreThoseFastTextPrints(string name)
    {
        var model = FastTextBinary.Read(FastTextFixtures.Path($"{name}.bin"));
        var printed = Vectors($"{name}-vectors.txt");
        Assert.Equal(24, printed.Count);
        Assert.Contains(printed, p => model.Contains(p.Word));
        Assert.Contains(printed, p => !model.Contains(p.Word));
        foreach (var (word, expected) in printed) AssertClose(expected, model.Vector(word), $"{name}: '{word}'");
        // Dictionary words' vectors are the same whichever way they are asked for.
        var all = model.WordVectors();
        foreach (var (word, expected) in printed.Where(p => model.Contains(p.Word))) AssertClose(expected, all[word], word);
    }

    [Fact]
    public void TheHeaderAndDictionaryAreFastTexts()
    {
        var model = FastTextBinary.Read(FastTextFixtures.Path("small.bin"));
        var args = model.Args;
        Assert.Equal((8, 2, 4, 1000), (args.Dim, args.MinN, args.MaxN, args.Bucket));
        Assert.Equal((FastTextArgs.ModelSkipGram, FastTextArgs.LossNegativeSampling, 3, 2), (args.Model, args.Loss, args.Epoch, args.MinCount));
        // `fasttext dump small.bin dict`: the words in the dictionary's order, with their counts, all of type word.
        var dumped = File.ReadAllLines(FastTextFixtures.Path("small-dict.txt")).Skip(1).Select(l => l.Split(' ')).ToList();
        Assert.Equal(dumped.Select(d => d[0]), model.Vocabulary.Words);
        Assert.Equal(dumped.Select(d => long.Parse(d[1], CultureInfo.InvariantCulture)), model.Vocabulary.Counts.ToArray());
        Assert.All(dumped, d => Assert.Equal("word", d[2]));
        Assert.Contains("日本語", model.Vocabulary.Words);
        Assert.Contains("don't", model.Vocabulary.Words);
        // ntokens counts every token, the words under minCount and one </s> per line too.
        long ntokens = long.Parse(File.ReadAllText(FastTextFixtures.Path("small-ntokens.txt")).Trim(), CultureInfo.InvariantCulture);
        Assert.Equal(ntokens, model.TokenCount);
        Assert.True(model.TokenCount > model.Vocabulary.TotalCount);
        Assert.Equal(model.WordCount * 8, model.Output.Length);
        Assert.Empty(FastTextBinary.Read(FastTextFixtures.Path("small.bin"), withOutput: false).Output);
    }

    /// <summary>gensim 4.2's load_facebook_model agrees, except for &lt;/s&gt;, to which gensim gives n-grams and fastText none.</summary>
    [Fact]
    public void GensimReadsTheSameVectors()
    {
        var model = FastTextBinary.Read(FastTextFixtures.Path("small.bin"));
        foreach (var (word, expected) in Vectors("small-gensim.txt").Where(p => p.Word != "</s>"))
        {
            var ours = model.Vector(word);
            for (int j = 0; j < expected.Length; j++)
                Assert.True(Math.Abs(expected[j] - ours[j]) <= 1e-6, $"'{word}'[{j}]: {ours[j]}, gensim {expected[j]}");
        }
    }

    /// <summary>
    /// `fasttext nn small.bin 5`: the dictionary words nearest a word's vector by cosine (the word itself left out), for
    /// words in and out of the dictionary: the same words, in the same order, with the same cosines.
    /// </summary>
    [Fact]
    public void NearestWordsAreThoseOfFastTextNn()
    {
        var model = FastTextBinary.Read(FastTextFixtures.Path("small.bin"));
        var vectors = model.WordVectors();
        string[] queries = ["café", "cafés", "日本", "xyzzy", "the"];
        var blocks = File.ReadAllText(FastTextFixtures.Path("small-nn.txt")).Split("Query word? ", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(queries.Length, blocks.Length);
        for (int q = 0; q < queries.Length; q++)
        {
            var printed = blocks[q].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToList();
            var query = model.Vector(queries[q]);
            var ours = Enumerable.Range(0, vectors.Count).Where(id => vectors.Vocabulary[id] != queries[q])
                .Select(id => (Word: vectors.Vocabulary[id], Cosine: VectorMath.Cosine(query, vectors[id])))
                .OrderByDescending(h => h.Cosine).Take(5).ToList();
            Assert.Equal(printed.Select(p => p[0]), ours.Select(h => h.Word));
            for (int i = 0; i < ours.Count; i++)
                Assert.True(Math.Abs(float.Parse(printed[i][1], CultureInfo.InvariantCulture) - ours[i].Cosine) < 1e-5,
                            $"{queries[q]} → {ours[i].Word}: {ours[i].Cosine}, fastText {printed[i][1]}");
        }
    }

    [Theory]
    [InlineData("small.bin")]
    [InlineData("cbow5.bin")]
    [InlineData("hs.bin")]
    public void WritingAReadModelGivesFastTextsBytes(string name)
    {
        var original = Bytes(name);
        var stream = new MemoryStream();
        FastTextBinary.Write(stream, FastTextBinary.Read(FastTextFixtures.Path(name)));
        Assert.Equal(original, stream.ToArray());
    }

    [Fact]
    public void AModelWithUnusedBucketRowsIsWrittenWithoutThem()
    {
        using var dir = new TempDir();
        var model = FastTextBinary.Read(FastTextFixtures.Path("words-only.bin"));
        Assert.Equal((0, 0), (model.Args.MaxN, model.Args.Bucket));
        Assert.Equal(model.WordCount * 4, model.Input.Length);
        using (var file = File.Create(dir.File("w.bin"))) FastTextBinary.Write(file, model);
        var again = FastTextBinary.Read(dir.File("w.bin"));
        Assert.Equal(model.Vocabulary.Words, again.Vocabulary.Words);
        Assert.Equal(model.Input, again.Input);
        Assert.Equal(model.Output, again.Output);
        Assert.Equal(model.TokenCount, again.TokenCount);
        Assert.Equal(model.Args, again.Args);
    }

    [Fact]
    public void AVersion11FileReadsTheSame()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("old.bin"), WithInt32(Bytes("small.bin"), FastTextFixtures.Version, 11));
        var old = FastTextBinary.Read(dir.File("old.bin"));
        var model = FastTextBinary.Read(FastTextFixtures.Path("small.bin"));
        Assert.Equal(model.Input, old.Input);
        Assert.Equal(model.Vector("xyzzy"), old.Vector("xyzzy"));
    }

    [Fact]
    public void EveryVectorsPathTakesAFastTextModel()
    {
        string path = FastTextFixtures.Path("small.bin");
        Assert.Equal(VectorFormat.FastText, VectorFormats.Detect(path));
        var loaded = WordVectors.Load(path);
        var model = FastTextBinary.Read(path);
        Assert.Equal(model.Vocabulary.Words, loaded.Vocabulary.Words);
        Assert.Equal(model.Vocabulary.Counts.ToArray(), loaded.Vocabulary.Counts.ToArray());
        Assert.True(loaded.HasCounts);
        Assert.Equal(model.WordVectors().Data, loaded.Data);
        foreach (var (word, expected) in Vectors("small-vectors.txt").Where(p => model.Contains(p.Word)))
            AssertClose(expected, loaded[word], word);
    }

    [Fact]
    public void SaveWritesTheBinTheVecAndTheCounts()
    {
        using var dir = new TempDir();
        var model = FastTextBinary.Read(FastTextFixtures.Path("small.bin"));
        model.Save(dir.File("m.bin"));
        Assert.Equal(Bytes("small.bin"), File.ReadAllBytes(dir.File("m.bin")));
        Assert.Equal(VectorFormat.Text, VectorFormats.Detect(dir.File("m.vec")));
        var vec = WordVectors.Load(dir.File("m.vec"));
        Assert.True(vec.HasCounts);   // from m.vocab
        Assert.Equal(model.Vocabulary.Words, vec.Vocabulary.Words);
        Assert.Equal(model.Vocabulary.Counts.ToArray(), vec.Vocabulary.Counts.ToArray());
        Assert.Equal(model.WordVectors().Data, vec.Data);
        Assert.Equal($"{model.WordCount} 8", File.ReadLines(dir.File("m.vec")).First());
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
        Assert.Throws<BadInputException>(() => model.Save(dir.File("m.vec")));
    }

    [Fact]
    public void WordVectorsSaveAsAWordLevelFastTextModel()
    {
        using var dir = new TempDir();
        string[] words = ["</s>", "the", "naïve", "日本語"];
        var random = new Random(3);
        var data = Enumerable.Range(0, words.Length * 5).Select(_ => (float)random.NextDouble()).ToArray();
        var vectors = new WordVectors(new Vocabulary(words, [9, 7, 3, 2]), 5, data);
        vectors.Save(dir.File("w.bin"), VectorFormat.FastText);
        Assert.Equal(VectorFormat.FastText, VectorFormats.Detect(dir.File("w.bin")));
        Assert.False(File.Exists(dir.File("w.vocab")));
        var loaded = WordVectors.Load(dir.File("w.bin"));
        Assert.Equal(words, loaded.Vocabulary.Words);
        Assert.Equal([9L, 7, 3, 2], loaded.Vocabulary.Counts.ToArray());
        Assert.Equal(data, loaded.Data);
        var model = FastTextBinary.Read(dir.File("w.bin"));
        Assert.Equal((0, 0, 21L), (model.Args.MaxN, model.Args.Bucket, model.TokenCount));
        Assert.All(model.Output, v => Assert.Equal(0f, v));
        Assert.Equal(new float[5], model.Vector("unknown"));   // no n-grams: zero, as fastText
    }

    [Fact]
    public void AWordFastTextCannotHoldIsABug()
    {
        var args = new FastTextArgs { Dim = 2, MinN = 0, MaxN = 0, Bucket = 0 };
        var model = new SubwordModel(args, new Vocabulary(["a", "b\0c"], [2, 1]), new float[4], []);
        Assert.Throws<ArgumentException>(() => FastTextBinary.Write(new MemoryStream(), model));
    }
}
