using VecLm.Embeddings;
namespace VecLm.Regressor.Tests;

/// <summary>Bad input gives the exceptions the CLI turns into one-line errors; a NaN loss stops training cleanly.</summary>
public class BadInputTests
{
    [Fact]
    public void MissingCorpusOrVectorsAreNotFound()
    {
        using var dir = new TempDir();
        string corpus = TinyData.Corpus(dir, 10);
        string vectors = TinyData.SaveVectors(dir, TinyData.Vectors(TinyData.Sentences));
        Assert.Throws<FileNotFoundException>(() =>
            new Trainer(TinyData.Options(dir.File("nope.txt"), vectors, dir.File("m"), LossKind.Cosine)));
        Assert.Throws<FileNotFoundException>(() =>
            new Trainer(TinyData.Options(corpus, dir.File("nope.bin"), dir.File("m"), LossKind.Cosine)));
    }

    [Fact]
    public void EmptyOrTooShortCorporaAreRejected()
    {
        using var dir = new TempDir();
        string vectors = TinyData.SaveVectors(dir, TinyData.Vectors(TinyData.Sentences));
        string empty = dir.File("empty.txt");
        File.WriteAllText(empty, "");
        var e = Assert.Throws<InvalidDataException>(() => new Trainer(TinyData.Options(empty, vectors, dir.File("m"), LossKind.Cosine)));
        Assert.Contains("empty", e.Message);
        string shortCorpus = dir.File("short.txt");
        File.WriteAllText(shortCorpus, "the cat\n");
        e = Assert.Throws<InvalidDataException>(() => new Trainer(TinyData.Options(shortCorpus, vectors, dir.File("m"), LossKind.Cosine)));
        Assert.Contains("too short for one batch", e.Message);
    }

    [Fact]
    public void AModelUsedWithOtherVectorsIsAClearError()
    {
        using var dir = new TempDir();
        string corpus = TinyData.Corpus(dir, 30);
        string vectors = TinyData.SaveVectors(dir, TinyData.Vectors(TinyData.Sentences));
        string model = dir.File("model");
        using (var trainer = new Trainer(TinyData.Options(corpus, vectors, model, LossKind.Cosine) with { MaxSteps = 2 }))
            trainer.Train();
        string wide = TinyData.SaveVectors(dir, TinyData.Vectors(TinyData.Sentences, dim: 24), "wide.bin");
        var e = Assert.Throws<InvalidDataException>(() => TrainedModel.Load(model, wide));
        Assert.Contains("dimension 24", e.Message);
        string other = TinyData.SaveVectors(dir, TinyData.Vectors(["some other words entirely"]), "other.bin");
        e = Assert.Throws<InvalidDataException>(() => TrainedModel.Load(model, other));
        Assert.Contains("another vocabulary", e.Message);
    }

    [Fact]
    public void ANaNLossStopsTrainingAndKeepsTheLastGoodCheckpoint()
    {
        using var dir = new TempDir();
        string corpus = TinyData.Corpus(dir, 40);
        string vectors = TinyData.SaveVectors(dir, TinyData.Vectors(TinyData.Sentences));
        string model = dir.File("model");
        var options = TinyData.Options(corpus, vectors, model, LossKind.Cosine);
        using (var first = new Trainer(options with { MaxSteps = 3 }))
            first.Train();
        byte[] lastGood = File.ReadAllBytes(Path.Combine(model, "checkpoint.bin"));
        // The resumed model's head poisoned with NaN: the next step's loss is NaN.
        using var bad = new Trainer(options with { Resume = true });
        using (TorchSharp.torch.no_grad())
            foreach (var p in bad.Model.parameters().Where(p => p.requires_grad)) p.fill_(float.NaN);
        var result = bad.Train();
        Assert.Equal(StopReason.NaNLoss, result.Reason);
        Assert.Equal(0, result.Steps);
        Assert.Contains("kept the last good checkpoint", result.Message);
        Assert.Equal(lastGood, File.ReadAllBytes(Path.Combine(model, "checkpoint.bin")));
    }

    [Fact]
    public void InvalidOptionsAreArgumentErrors()
    {
        using var dir = new TempDir();
        string corpus = TinyData.Corpus(dir, 10);
        string vectors = TinyData.SaveVectors(dir, TinyData.Vectors(TinyData.Sentences));
        var options = TinyData.Options(corpus, vectors, dir.File("m"), LossKind.Cosine);
        Assert.Throws<BadInputException>(() => new Trainer(options with { LearningRate = -1 }));
        Assert.Throws<BadInputException>(() => new Trainer(options with { Hidden = 0 }));
        Assert.Throws<BadInputException>(() => new Trainer(options with { Dropout = 1.5 }));
    }
}
