using VecLm.Decoder;
using VecLm.Embeddings;

namespace VecLm.Regressor.Tests;

public class DecodeVocabularyTests
{
    /// <summary>A small cosine model with a fitted decoding state, and its training vectors.</summary>
    private static (string Model, WordVectors Vectors) Train(TempDir dir)
    {
        var corpus = TinyData.Corpus(dir, 200);
        var vectors = TinyData.Vectors(TinyData.Sentences);
        var path = TinyData.SaveVectors(dir, vectors);
        var options = TinyData.Options(corpus, path, dir.File("cosine"), LossKind.Cosine) with
        {
            MaxSteps = 40, Epochs = 2, ValidPath = TinyData.Corpus(dir, 20, seed: 2, name: "valid.txt"),
        };
        using (var trainer = new Trainer(options)) trainer.Train();
        return (options.OutputDir, vectors);
    }

    /// <summary>
    /// The decode vocabulary is the training words in another order plus a word the model never had, "violin", whose
    /// vector is placed so that its target points exactly where the model's last output points.
    /// </summary>
    [Fact]
    public void SwappingTheDecodeVocabularyChangesTheDecodedWordsAndNothingElse()
    {
        using var dir = new TempDir();
        var (modelDir, vectors) = Train(dir);
        int[] ids = [0, .. "the cat sat on the".Split(' ').Select(w => vectors.Vocabulary.TryGetId(w, out int id) ? id : -1)];

        using var model = TrainedModel.Load(modelDir);
        model.Rule = model.RuleFor(RuleKind.Cosine);
        var outputs = model.Outputs(ids);
        var last = outputs.AsSpan(outputs.Length - model.Config.OutputSize).ToArray();
        // The decode vocabulary has no <unk>: the training words' order without it.
        var closed = model.Rank(last, 4).Select(n => model.WordOf(n.Id)).Where(w => w != Vocabulary.Unknown).Take(3).ToArray();

        var words = vectors.Vocabulary.Words.Where(w => w != Vocabulary.Unknown).Reverse().Append("violin").ToList();
        var data = words.SelectMany(w => w == "violin" ? PointingAt(last, model.Targets!.Processor) : vectors[w].ToArray()).ToArray();
        var extended = new WordVectors(new Vocabulary(words, new long[words.Count]), vectors.Dim, data);
        extended.Save(dir.File("extended.txt"), VectorFormat.Text);
        File.WriteAllLines(dir.File("decode.txt"), words);

        model.UseDecodeVocabulary(DecodeVocabulary.Load(dir.File("decode.txt"), dir.File("extended.txt"), model.Vectors.Vocabulary));
        model.Rule = model.RuleFor(RuleKind.Cosine);
        Assert.Equal(outputs, model.Outputs(ids));                                    // the network is untouched
        var open = model.Rank(last, 4);
        Assert.Equal("violin", model.WordOf(open[0].Id));                             // pointed at exactly: decoded
        Assert.Equal(1f, open[0].Cosine, 4);
        Assert.Equal(closed, open.Skip(1).Select(n => model.WordOf(n.Id)));           // the rest as before
        Assert.Equal(model.Vectors.Vocabulary.UnknownId, model.ModelIdOf(open[0].Id)); // a word the model lacks is <unk> to it

        // Under the prior, a word never seen shares <unk>'s mass; raised enough, it wins where the model points at it.
        model.UseDecodeVocabulary(DecodeVocabulary.Load(dir.File("decode.txt"), dir.File("extended.txt"), model.Vectors.Vocabulary),
                                  unseenBoost: 30);
        model.Rule = model.RuleFor(RuleKind.Prior);
        Assert.Equal("violin", model.WordOf(model.Rank(last, 1)[0].Id));
    }

    /// <summary>A raw vector whose post-processed target has the direction of <paramref name="output"/>.</summary>
    private static float[] PointingAt(float[] output, PostProcessor processor)
    {
        var u = (float[])output.Clone();
        VectorMath.Normalize(u);
        foreach (var d in processor.Directions) Simd.Axpy(-Simd.Dot(d, u), d, u);
        VectorMath.Normalize(u);
        // x = mean + λu with |x| = 1: normalising x changes nothing, and x − mean = λu.
        double mu = Simd.Dot(processor.Mean, u), mm = Simd.Dot(processor.Mean, processor.Mean);
        double lambda = -mu + Math.Sqrt(mu * mu - mm + 1);
        return processor.Mean.Zip(u, (m, v) => (float)(m + lambda * v)).ToArray();
    }

    [Theory]
    [InlineData("a\n\nb\n", "line 2 is empty")]
    [InlineData("a\nb\na\n", "on lines 1 and 3")]
    [InlineData("a b\n", "white space")]
    [InlineData("\n\n", "has no words")]
    [InlineData("zzz\nyyy\n", "no word of the decode vocabulary has a vector")]
    public void ABadDecodeVocabularyIsOneClearError(string text, string mentions)
    {
        using var dir = new TempDir();
        var vectors = TinyData.Vectors(TinyData.Sentences);
        var path = TinyData.SaveVectors(dir, vectors);
        File.WriteAllText(dir.File("words.txt"), text);
        var e = Assert.Throws<BadInputException>(() => DecodeVocabulary.Load(dir.File("words.txt"), path, vectors.Vocabulary));
        Assert.Contains(mentions, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void TrailingBlankLinesAndMissingVectorsAreFine()
    {
        using var dir = new TempDir();
        var vectors = TinyData.Vectors(TinyData.Sentences);
        var path = TinyData.SaveVectors(dir, vectors);
        File.WriteAllText(dir.File("words.txt"), "cat\nzebra\ndog\n\n");
        var decode = DecodeVocabulary.Load(dir.File("words.txt"), path, vectors.Vocabulary);
        Assert.Equal(["cat", "dog", Vocabulary.EndOfSentence], decode.Vectors.Vocabulary.Words);
        Assert.Equal(1, decode.Missing);
        Assert.True(decode.ModelIds.All(i => i >= 0));
    }

    /// <summary>
    /// A word list has no sentence end, but the model predicts one at every sentence's end: it is added (once), with
    /// the model's id, so decoding over a list loses none of those positions.
    /// </summary>
    [Fact]
    public void TheSentenceEndIsAlwaysDecodable()
    {
        using var dir = new TempDir();
        var vectors = TinyData.Vectors(TinyData.Sentences);
        var path = TinyData.SaveVectors(dir, vectors);
        File.WriteAllText(dir.File("words.txt"), "cat\ndog\n");
        var decode = DecodeVocabulary.Load(dir.File("words.txt"), path, vectors.Vocabulary);
        int eos = decode.Vectors.Vocabulary.EndOfSentenceId;
        Assert.Equal(vectors.Vocabulary.EndOfSentenceId, decode.ModelIds[eos]);
        Assert.Equal(vectors[Vocabulary.EndOfSentence].ToArray(), decode.Vectors[eos].ToArray());
        Assert.Equal(0, decode.Missing);

        File.WriteAllText(dir.File("listed.txt"), "cat\n</s>\ndog\n");   // listed already: kept where it is
        Assert.Equal(["cat", Vocabulary.EndOfSentence, "dog"], DecodeVocabulary.Load(dir.File("listed.txt"), path, vectors.Vocabulary).Vectors.Vocabulary.Words);
    }

    [Fact]
    public void TrainingWithADecodeVocabularyKeepsItInTheModelFolder()
    {
        using var dir = new TempDir();
        var corpus = TinyData.Corpus(dir, 100);
        var path = TinyData.SaveVectors(dir, TinyData.Vectors(TinyData.Sentences));
        File.WriteAllLines(dir.File("words.txt"), ["cat", "dog", "zebra"]);
        var options = TinyData.Options(corpus, path, dir.File("m"), LossKind.Cosine) with { MaxSteps = 5, Epochs = 1, DecodeVocab = dir.File("words.txt") };
        using (var trainer = new Trainer(options)) trainer.Train();
        Assert.Equal(File.ReadAllText(dir.File("words.txt")), File.ReadAllText(Path.Combine(dir.File("m"), "decode-vocab.txt")));
        using (var model = TrainedModel.Load(dir.File("m")))
            Assert.Equal(Path.Combine(dir.File("m"), "decode-vocab.txt"), model.SavedDecodeVocabulary);

        // Trained again from scratch without one, the folder no longer has it; a softmax head cannot have one.
        using (var trainer = new Trainer(options with { DecodeVocab = null, Force = true })) trainer.Train();
        Assert.False(File.Exists(Path.Combine(dir.File("m"), "decode-vocab.txt")));
        var e = Assert.Throws<BadInputException>(() => new Trainer(options with { Loss = LossKind.Softmax, OutputDir = dir.File("s") }));
        Assert.Contains("--decode-vocab", e.Message);
    }
}
