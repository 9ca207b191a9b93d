using System.Text.Json.Nodes;

namespace VecLm.Regressor.Tests;

/// <summary>
/// A model folder written before checkpoint.bin (raw TorchSharp weights, last.weights + optimizer.state + state.json,
/// an absolute vectors path, no checksums or options record, metrics.csv of 11 columns) still loads and resumes, and a
/// resume leaves it a current folder.
/// </summary>
[Collection(nameof(Serial))]
public class EarlierFolderTests
{
    [Fact]
    public void AFolderOfAnEarlierVersionLoadsAndResumes()
    {
        using var dir = new TempDir();
        string corpus = TinyData.Corpus(dir, 40);
        string valid = TinyData.Corpus(dir, 20, seed: 2, name: "valid.txt");
        string vectors = TinyData.SaveVectors(dir, TinyData.Vectors(TinyData.Sentences));
        var options = TinyData.Options(corpus, vectors, dir.File("model"), LossKind.Cosine) with { MaxSteps = 4, ValidPath = valid };
        using (var trainer = new Trainer(options)) trainer.Train();
        int[] input = [0, 2, 3, 4, 5];
        float[] expected;
        using (var current = TrainedModel.Load(options.OutputDir))
        {
            expected = current.Outputs(input);
            MakeEarlier(options.OutputDir, current, vectors);
        }
        Assert.False(SealedFile.LooksSealed(Path.Combine(options.OutputDir, "model.weights")));

        using (var earlier = TrainedModel.Load(options.OutputDir))
            Assert.Equal(expected, earlier.Outputs(input));
        Assert.Single(MetricsLog.Read(Path.Combine(options.OutputDir, "metrics.csv")));

        using (var resumed = new Trainer(options with { Resume = true, MaxSteps = 6 }))
        {
            Assert.Equal(4, resumed.State.Step);
            Assert.Equal(2, resumed.Train().Steps);
        }
        var config = new Checkpoint(options.OutputDir).LoadConfig();
        Assert.Equal(ModelConfig.CurrentFormat, config.Format);
        Assert.NotNull(config.Training);
        Assert.True(SealedFile.LooksSealed(Path.Combine(options.OutputDir, "model.weights")));
        using var loaded = TrainedModel.Load(options.OutputDir);
        Assert.Equal(2, MetricsLog.Read(Path.Combine(options.OutputDir, "metrics.csv")).Count);
    }

    /// <summary>Rewrites a current folder as the version before checkpoint.bin wrote it.</summary>
    private static void MakeEarlier(string dir, TrainedModel model, string vectors)
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!.AsObject();
        foreach (var key in new[] { "Format", "VectorsFullPath", "VectorsChecksum", "TargetsChecksum", "Training" }) config.Remove(key);
        config["VectorsPath"] = Path.GetFullPath(vectors);
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());
        model.Network.save(Path.Combine(dir, "model.weights"));
        model.Network.save(Path.Combine(dir, "last.weights"));
        using (var adam = Trainer.CreateOptimizer(model.Network.parameters().Where(p => p.requires_grad), 1e-2))
            adam.save_state_dict(Path.Combine(dir, "optimizer.state"));
        File.Delete(Path.Combine(dir, "checkpoint.bin"));
        File.Delete(Path.Combine(dir, "vocab.txt"));
        string metrics = Path.Combine(dir, "metrics.csv");
        File.WriteAllLines(metrics, File.ReadAllLines(metrics).Select(l => string.Join(',', l.Split(',').Take(11))));
    }
}
