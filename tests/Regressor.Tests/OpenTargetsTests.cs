using VecLm.Decoder;
using VecLm.Embeddings;
using VecLm.Embeddings.FastText;

namespace VecLm.Regressor.Tests;

// Serial: with 400 steps the rare-word test still failed in one CI pass (2026-12-03) while other classes drew from
// LibTorch's process-wide generator; run alone it passed for every seed of 1–13.
[Collection(nameof(Serial))]
public class OpenTargetsTests
{
    /// <summary>
    /// A text where "zebra" (about 60 times, under --min-count 80) always follows "the striped": with subword vectors
    /// its vector exists, but the model's vocabulary reads it as &lt;unk&gt;. Trained with a decode vocabulary that has
    /// it, the model's target at those positions is zebra's own row, and it learns to point there.
    /// </summary>
    private static (string Corpus, string Vectors, string Decode) Data(TempDir dir)
    {
        var lines = new List<string>();
        var random = new Random(4);
        for (int i = 0; i < 270; i++)
            lines.Add(random.Next(9) switch { < 5 => "the cat sat on the mat", < 7 => "the striped zebra ran", _ => "striped cat sat" });
        File.WriteAllLines(dir.File("train.txt"), lines);
        var options = new Word2VecOptions { Dim = 16, MinCount = 80, Epochs = 3, Threads = 1, Seed = 1 };
        SubwordTrainer.Train(dir.File("train.txt"), options, new SubwordOptions { Buckets = 2000 }).Model.Save(dir.File("sub.bin"));
        File.WriteAllLines(dir.File("decode.txt"), ["the", "cat", "sat", "on", "mat", "striped", "zebra", "ran", "horse"]);
        return (dir.File("train.txt"), dir.File("sub.bin"), dir.File("decode.txt"));
    }

    [Fact]
    public void ARareWordIsItsOwnTargetWhileItsInputStaysUnknown()
    {
        using var dir = new TempDir();
        var (corpus, vectors, decode) = Data(dir);
        var options = TinyData.Options(corpus, vectors, dir.File("m"), LossKind.Cosine) with { MaxSteps = 1, DecodeVocab = decode };
        using var trainer = new Trainer(options);
        var open = trainer.Open!;
        var model = WordVectors.Load(vectors).Vocabulary;
        Assert.False(model.Contains("zebra"));
        // The training words, then the decode words the model lacks (zebra, ran, horse; not the ones it has).
        Assert.Equal(model.Count + 3, open.All.Count);
        int zebra = model.Count;           // decode order: zebra, then ran and horse
        Assert.Equal(zebra, open.TrainTargets.First(id => id >= model.Count));
        long zebras = File.ReadLines(corpus).Count(l => l.Contains("zebra"));
        Assert.Equal(zebras, open.Counts[zebra]);
        Assert.Equal(0, open.Counts[model.Count + 2]);                     // horse: never in the text
        Assert.Equal(2 * zebras, open.RareTokens);                          // zebra and ran
        var inputs = TokenBatches.Tokenize(corpus, model);
        Assert.All(Enumerable.Range(0, inputs.Length).Where(i => open.TrainTargets[i] >= model.Count),
                   i => Assert.Equal(model.UnknownId, inputs[i]));
    }

    [Theory]
    [InlineData(LossKind.Cosine)]
    [InlineData(LossKind.Sampled)]
    public void TrainedTowardARareWordTheModelDecodesIt(LossKind loss)
    {
        using var dir = new TempDir();
        var (corpus, vectors, decode) = Data(dir);
        // 400 steps: after 150 the test failed for seeds 2, 4 and 5 of 1–7, and for seed 1 whenever another test drew
        // from LibTorch's generator meanwhile (two CI passes, 2026-12-03); after 400 it passed for every seed of 1–13.
        var options = TinyData.Options(corpus, vectors, dir.File("open"), loss) with { MaxSteps = 400, Epochs = 40, DecodeVocab = decode };
        using (var trainer = new Trainer(options)) trainer.Train();
        using (var trainer = new Trainer(options with { OutputDir = dir.File("closed"), DecodeVocab = null })) trainer.Train();

        double CosineToZebra(string modelDir, out string[] top, out int rank)
        {
            using var model = TrainedModel.Load(modelDir);
            // Ranked among the words of the text: "horse" (never in it) has a vector of untrained n-gram rows, noise
            // that a 16-dimensional output may happen to point at.
            File.WriteAllLines(dir.File("ranked.txt"), File.ReadLines(decode).Where(w => w != "horse"));
            model.UseDecodeVocabulary(DecodeVocabulary.Load(dir.File("ranked.txt"), vectors, model.Vectors.Vocabulary));
            // The sampled loss's outputs are logits over the words (ŷ·e(w) + ln p(w)): its own rule is the posterior.
            model.Rule = loss == LossKind.Sampled ? model.RuleFor(RuleKind.Posterior, beta: 1) : model.RuleFor(RuleKind.Cosine);
            var v = model.Vectors.Vocabulary;
            int[] ids = [v.EndOfSentenceId, v.TryGetId("the", out int the) ? the : -1, v.TryGetId("striped", out int s) ? s : -1];
            var outputs = model.Outputs(ids);
            var last = outputs.AsSpan(outputs.Length - model.Config.OutputSize).ToArray();
            // The sentence end, always decodable, is left out: in these 16 dimensions its vector is near every
            // sentence's last words, zebra's among them, and the question is zebra against the other words.
            var ranked = model.Rank(last, 9).Where(n => model.WordOf(n.Id) != Vocabulary.EndOfSentence).ToArray();
            top = ranked.Take(3).Select(n => model.WordOf(n.Id)).ToArray();
            rank = Array.FindIndex(ranked, n => model.WordOf(n.Id) == "zebra");
            return ranked[rank].Cosine;
        }
        double open = CosineToZebra(dir.File("open"), out var openTop, out int openRank);
        double closed = CosineToZebra(dir.File("closed"), out _, out int closedRank);
        // Cosine decodes it first; the sampled loss's posterior weighs in the prior ("zebra" shares &lt;unk&gt;'s), top 3.
        // The sampled head's outputs are logits, not directions: its comparison is by rank, the cosine head's by cosine.
        if (loss == LossKind.Cosine)
        {
            Assert.Equal("zebra", openTop[0]);
            Assert.True(open > closed + 0.1, $"cosine to zebra after 'the striped': open {open:0.000}, closed {closed:0.000}");
        }
        else
        {
            // With 8 words and 150 steps the closed model's rank of zebra is chance (it was 2nd once): only the open
            // model's is asserted.
            Assert.Contains("zebra", openTop);
        }
    }
}
