using VecLm.Embeddings;

namespace VecLm.Regressor.Tests;

/// <summary>Target post-processing as training records it and as a loaded model applies it.</summary>
public class TargetsTests
{
    [Theory]
    [InlineData("raw")]
    [InlineData("center")]
    [InlineData("abtt:2")]
    public void TheTargetsTrainingUsedAreTheOnesALoadedModelDecodesAgainst(string spec)
    {
        using var dir = new TempDir();
        string corpus = TinyData.Corpus(dir, 40);
        var words = TinyData.Vectors(TinyData.Sentences);
        string vectors = TinyData.SaveVectors(dir, words);
        string model = dir.File("model");
        float[] trained;
        using (var trainer = new Trainer(TinyData.Options(corpus, vectors, model, LossKind.Cosine) with { MaxSteps = 3, Targets = spec }))
        {
            trainer.Train();
            Assert.Equal(spec, trainer.Config.Targets);
            trained = PostProcessing.Parse(spec).Fit(words).Apply(words);
        }
        var saved = PostProcessor.Load(Path.Combine(model, "targets.json"));
        Assert.Equal(spec, saved.Spec);
        Assert.Equal(trained, saved.Apply(WordVectors.Load(vectors)), new FloatTolerance(1e-6f));

        // A loaded model decodes a target row back to its own word: the rows it searches are the post-processed ones.
        using var loaded = TrainedModel.Load(model, vectors);
        for (int id = 0; id < words.Count; id++)
            Assert.Equal(id, loaded.Rank(trained.AsSpan(id * words.Dim, words.Dim), 1)[0].Id);
    }

    [Fact]
    public void ResumingWithOtherTargetsIsAnError()
    {
        using var dir = new TempDir();
        string corpus = TinyData.Corpus(dir, 40);
        string vectors = TinyData.SaveVectors(dir, TinyData.Vectors(TinyData.Sentences));
        var options = TinyData.Options(corpus, vectors, dir.File("model"), LossKind.Cosine) with { MaxSteps = 2 };
        using (var first = new Trainer(options)) first.Train();
        var e = Assert.Throws<BadInputException>(() => new Trainer(options with { Resume = true, Targets = "raw", MaxSteps = 4 }));
        Assert.Contains("targets", e.Message);
    }

    [Theory]
    [InlineData(LossKind.Cosine, "center")]
    [InlineData(LossKind.Sampled, "raw")]
    public void WithoutTargetsEachLossTakesItsDefaultAndAResumeKeepsWhatWasSaved(LossKind loss, string expected)
    {
        using var dir = new TempDir();
        string corpus = TinyData.Corpus(dir, 40);
        string vectors = TinyData.SaveVectors(dir, TinyData.Vectors(TinyData.Sentences));
        var options = TinyData.Options(corpus, vectors, dir.File("model"), loss) with { MaxSteps = 2, Targets = null };
        using (var first = new Trainer(options)) first.Train();
        using var resumed = new Trainer(options with { Resume = true, MaxSteps = 4 });
        Assert.Equal(expected, resumed.Config.Targets);

        // A model saved with other targets than today's default resumes with its own.
        string other = expected == "raw" ? "center" : "raw";
        var explicitOptions = options with { OutputDir = dir.File("other"), Targets = other };
        using (var first = new Trainer(explicitOptions)) first.Train();
        using var kept = new Trainer(explicitOptions with { Resume = true, Targets = null, MaxSteps = 4 });
        Assert.Equal(other, kept.Config.Targets);
    }

    [Fact]
    public void ACorruptTargetsFileIsRejectedOnLoad()
    {
        using var dir = new TempDir();
        string corpus = TinyData.Corpus(dir, 40);
        string vectors = TinyData.SaveVectors(dir, TinyData.Vectors(TinyData.Sentences));
        string model = dir.File("model");
        using (var trainer = new Trainer(TinyData.Options(corpus, vectors, model, LossKind.Cosine) with { MaxSteps = 2 }))
            trainer.Train();
        File.WriteAllText(Path.Combine(model, "targets.json"), "{\"targets\": \"center\", \"mean\": [1, 2]");
        Assert.Throws<InvalidDataException>(() => TrainedModel.Load(model, vectors));
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
