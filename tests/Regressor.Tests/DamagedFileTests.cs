namespace VecLm.Regressor.Tests;

/// <summary>
/// Every file of a model folder truncated, zeroed in the middle, or overwritten by random bytes at the start or in the
/// middle: loading or resuming is an <see cref="InvalidDataException"/> naming the file — never a wrong model, a hang
/// or a crash in TorchSharp's native loader (sealed files are checked before any byte reaches it).
/// </summary>
public class DamagedFileTests
{
    public enum Damage { Truncated, ZeroedMiddle, RandomStart, RandomMiddle }

    public static TheoryData<string, Damage> Cases()
    {
        var data = new TheoryData<string, Damage>();
        foreach (var file in new[] { "model.weights", "checkpoint.bin", "config.json", "decoding.json", "targets.json", "metrics.csv" })
            foreach (var damage in Enum.GetValues<Damage>()) data.Add(file, damage);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ADamagedFileIsAClearError(string file, Damage damage)
    {
        using var dir = new TempDir();
        var options = Train(dir);
        Corrupt(Path.Combine(options.OutputDir, file), damage);
        Exception e = file is "checkpoint.bin" or "metrics.csv"
            ? Assert.Throws<InvalidDataException>(() => new Trainer(options with { Resume = true, MaxSteps = 8 }).Dispose())
            : Assert.Throws<InvalidDataException>(() => TrainedModel.Load(options.OutputDir, options.VectorsPath).Dispose());
        Assert.Contains(file, e.Message);
    }

    [Fact]
    public void ADamagedStateJsonDoesNotStopAResume()
    {
        using var dir = new TempDir();
        var options = Train(dir);
        Corrupt(Path.Combine(options.OutputDir, "state.json"), Damage.RandomStart);
        using var resumed = new Trainer(options with { Resume = true, MaxSteps = 8 });
        Assert.Equal(6, resumed.State.Step);   // from checkpoint.bin: state.json is a readable copy
        Assert.Equal(2, resumed.Train().Steps);
    }

    /// <summary>A cosine model with validation (so decoding.json holds a fit), 6 steps.</summary>
    private static TrainOptions Train(TempDir dir)
    {
        string corpus = TinyData.Corpus(dir, 40);
        string valid = TinyData.Corpus(dir, 20, seed: 2, name: "valid.txt");
        string vectors = TinyData.SaveVectors(dir, TinyData.Vectors(TinyData.Sentences));
        var options = TinyData.Options(corpus, vectors, dir.File("model"), LossKind.Cosine) with { MaxSteps = 6, ValidPath = valid };
        using (var trainer = new Trainer(options)) trainer.Train();
        return options;
    }

    internal static void Corrupt(string path, Damage damage)
    {
        var bytes = File.ReadAllBytes(path);
        var random = new Random(3);
        int middle = bytes.Length / 2, span = Math.Min(32, bytes.Length / 4);
        switch (damage)
        {
            case Damage.Truncated:
                int cut = middle;
                while (cut > 1 && bytes[cut - 1] == '\n') cut--;   // a cut at a line's end would leave a shorter, valid CSV
                bytes = bytes[..cut];
                break;
            case Damage.ZeroedMiddle:
                Array.Clear(bytes, middle, span);
                break;
            case Damage.RandomStart:
                random.NextBytes(bytes.AsSpan(0, span));
                break;
            case Damage.RandomMiddle:
                random.NextBytes(bytes.AsSpan(middle, span));
                break;
        }
        File.WriteAllBytes(path, bytes);
    }
}
