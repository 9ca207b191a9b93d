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
}
