using VecLm.Embeddings;
using VecLm.Regressor;
using VecLm.Regressor.Tests;

namespace VecLm.Evaluation.Tests;

public class OpenVocabularyTests
{
    [Fact]
    public void BandsFollowTheTrainingCountsAndUnknownNeverScores()
    {
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("train.txt"), ["the cat sat", "the cat ran", "the dog sat zebra", "the zebra"]);
        var open = OpenVocabulary.Load(dir.File("train.txt"), ["the", "cat", "dog", "sat", "ran", "violin", Vocabulary.Unknown]);
        Assert.Equal(0, open.BandOf("the"));        // 4 times
        Assert.Equal(1, open.BandOf("zebra"));      // twice
        Assert.Equal(1, open.BandOf("dog"));        // once
        Assert.Equal(2, open.BandOf("violin"));     // never, but decodable
        Assert.Equal(3, open.BandOf("xylophone"));  // in no vocabulary
        Assert.Equal(3, open.BandOf(Vocabulary.Unknown)); // "<unk>" itself is not a word anyone can be credited for

        var tally = open.NewTally();
        tally.Add("zebra", [Vocabulary.Unknown, "cat"]);    // the closed model's <unk>: a miss
        tally.Add("zebra", ["dog", "zebra"]);               // top-5, not top-1
        tally.Add("the", ["the"]);
        tally.Add("violin", ["violin", "the"]);
        tally.Add("xylophone", [Vocabulary.Unknown]);
        var result = tally.Result();
        Assert.Equal(5, result.Tokens);
        Assert.Equal(2 / 5.0, result.Top1, 12);
        Assert.Equal(3 / 5.0, result.Top5, 12);
        Assert.Equal(new OpenBand(2, 0, 0.5), result.Bands["seen1-2"]);
        Assert.Equal(new OpenBand(1, 1, 1), result.Bands["unseen"]);
        Assert.Equal(new OpenBand(1, 0, 0), result.Bands["none"]);
    }

    [Fact]
    public void CompareWithOpenVocabScoresEveryModelByBandAndNeverAboveItsClosedScore()
    {
        using var dir = new TempDir();
        var corpus = TinyData.Corpus(dir, 200);
        File.AppendAllLines(corpus, ["the zebra sat on the mat"]);                  // "zebra": once, so <unk>
        var vectors = TinyData.SaveVectors(dir, TinyData.Vectors(TinyData.Sentences));
        var test = dir.File("test.txt");
        File.WriteAllLines(test, ["the cat sat on the mat", "the zebra sat on the violin", "a dog ran in the park"]);
        foreach (var (name, loss) in new[] { ("cosine", LossKind.Cosine), ("softmax", LossKind.Softmax) })
        {
            using var trainer = new Trainer(TinyData.Options(corpus, vectors, dir.File(name), loss) with { MaxSteps = 30, Epochs = 2, ValidPath = test });
            trainer.Train();
        }
        var report = ModelEvaluator.Compare([dir.File("cosine"), dir.File("softmax")], null, test,
                                            new ScoringOptions { OpenVocab = true }, examples: 0);
        foreach (var m in report.Models)
        {
            var open = m.OpenVocab!;
            Assert.Equal(m.Tokens, open.Tokens);
            Assert.Equal(open.Tokens, open.Bands.Values.Sum(b => b.Tokens));
            Assert.Equal(1, open.Bands["seen1-2"].Tokens);   // zebra
            Assert.Equal(1, open.Bands["none"].Tokens);      // violin: in neither the text nor the vectors
            Assert.True(open.Top1 <= m.Top1 + 1e-12);
        }
        Assert.Contains("open vocabulary: strict top-1", report.Markdown());
    }

    [Fact]
    public void ADecodeVocabularyMakesAWordNeverTrainedOnDecodableAndItsBoostIsFittedOnValidation()
    {
        using var dir = new TempDir();
        var corpus = TinyData.Corpus(dir, 200);
        var vectors = TinyData.Vectors(TinyData.Sentences);
        var path = TinyData.SaveVectors(dir, vectors);
        var valid = dir.File("valid.txt");
        File.WriteAllLines(valid, ["the cat sat on the violin", .. Enumerable.Repeat("a dog ran in the park", 5)]);
        using (var trainer = new Trainer(TinyData.Options(corpus, path, dir.File("cosine"), LossKind.Cosine) with { MaxSteps = 30, Epochs = 2, ValidPath = valid }))
            trainer.Train();
        // The decode vocabulary: the training words and "violin", whose vector only a larger vectors file has.
        var words = vectors.Vocabulary.Words.Where(w => w != Vocabulary.Unknown).Append("violin").ToList();
        var random = new Random(3);
        var data = words.SelectMany(w => w == "violin" ? Enumerable.Range(0, vectors.Dim).Select(_ => (float)random.NextDouble() - 0.5f) : vectors[w].ToArray()).ToArray();
        new WordVectors(new Vocabulary(words, new long[words.Count]), vectors.Dim, data).Save(dir.File("large.bin"));
        File.WriteAllLines(dir.File("decode.txt"), words);

        var options = new ScoringOptions { OpenVocab = true, DecodeVocab = dir.File("decode.txt"), DecodeVectors = dir.File("large.bin"), Exact = true };
        var scored = ModelEvaluator.Evaluate(dir.File("cosine"), null, valid, options).Evaluation;
        var decode = scored.DecodeVocab!;
        Assert.Equal(words.Count, decode.Words);
        Assert.Equal(1, decode.UnseenWords);
        Assert.Equal(BackoffFit.Grid.Length, decode.BoostCurve.Count);
        Assert.Contains(decode.Boost, BackoffFit.Grid);
        Assert.Equal(1, scored.OpenVocab!.Bands["unseen"].Tokens);            // "violin": decodable now, though never trained on
        Assert.Equal(0, scored.OpenVocab.Bands["none"].Tokens);
        // The curve is monotone where it must be: raising the unseen word never lowers its own band's top-5.
        Assert.True(decode.BoostCurve.Zip(decode.BoostCurve.Skip(1)).All(p => p.Second.UnseenTop5 >= p.First.UnseenTop5));

        // compare shows the positions of words never trained on in their own table, with every model's guesses.
        var report = ModelEvaluator.Compare([dir.File("cosine")], null, valid, options, examples: 2);
        var example = Assert.Single(report.Examples, e => e.Unseen);
        Assert.Equal("violin", example.TrueWord);
        Assert.EndsWith("on the", example.Context);
        Assert.Contains("## Words the training text never had", report.Markdown());
        Assert.Contains("## Decode vocabulary: cosine", report.Markdown());
    }
}
