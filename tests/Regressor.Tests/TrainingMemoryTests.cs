using VecLm.Embeddings;

namespace VecLm.Regressor.Tests;

public class TrainingMemoryTests
{
    /// <summary>
    /// A softmax head's memory grows with |V| times the hidden size and the step's tokens; a regression head's only
    /// with |V| times the vector size: at 1M words the softmax needs gigabytes, the cosine head a few hundred MB.
    /// </summary>
    [Fact]
    public void TheSoftmaxHeadGrowsWithTheVocabularyAndTheRegressionHeadBarely()
    {
        long Of(LossKind loss, long words) => TrainingMemory.Estimate(loss, words, 64, 256, 32, 35, trainInput: false);
        long softmaxGrowth = Of(LossKind.Softmax, 1_000_000) - Of(LossKind.Softmax, 17_715);
        long cosineGrowth = Of(LossKind.Cosine, 1_000_000) - Of(LossKind.Cosine, 17_715);
        Assert.InRange(softmaxGrowth / 1e9, 9.5, 10.2);     // 4 × 256 + 1,120 + 350 floats per word
        Assert.InRange(cosineGrowth / 1e6, 700, 800);       // 3 × 64 floats per word
        Assert.True(TrainingMemory.Estimate(LossKind.Cosine, 1000, 64, 256, 32, 35, trainInput: true)
                    > TrainingMemory.Estimate(LossKind.Cosine, 1000, 64, 256, 32, 35, trainInput: false));
    }

    [Fact]
    public void ARunThatCannotFitIsOneClearErrorBeforeAnyWork()
    {
        var options = new TrainOptions { TrainPath = "t.txt", VectorsPath = "v.bin", OutputDir = "m", Loss = LossKind.Softmax };
        var e = Assert.Throws<BadInputException>(() => TrainingMemory.Check(options, 1_000_000, 64, available: 8L << 30));
        Assert.Contains("softmax head over 1,000,000 words", e.Message);
        Assert.Contains("--loss sampled or cosine", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        TrainingMemory.Check(options with { Loss = LossKind.Cosine }, 1_000_000, 64, available: 8L << 30);   // fits
        Assert.True(SystemMemory.Available() > 0);
    }

    /// <summary>The trainer checks before it touches the output folder: a refused run leaves what was there.</summary>
    [Fact]
    public void TheTrainerRefusesBeforeTouchingTheFolder()
    {
        using var dir = new TempDir();
        var corpus = TinyData.Corpus(dir, 20);
        var path = TinyData.SaveVectors(dir, TinyData.Vectors(TinyData.Sentences));
        Directory.CreateDirectory(dir.File("m"));
        File.WriteAllText(Path.Combine(dir.File("m"), "keep.txt"), "mine");
        // An impossible step: 2 billion tokens of logits.
        var options = TinyData.Options(corpus, path, dir.File("m"), LossKind.Softmax) with { Batch = 50_000, Bptt = 40_000, Force = true };
        Assert.Throws<BadInputException>(() => new Trainer(options));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(dir.File("m"), "keep.txt")));
    }
}
