using static TorchSharp.torch;

namespace VecLm.Regressor.Tests;

/// <summary>What a model's weights file holds: everything it learned, not the vectors file's copy.</summary>
public class RnnModelWeightsTests
{
    private static byte[] Saved(RnnModel model) => ResumePoint.Bytes(model.SaveWeights);

    private static BinaryReader Reader(byte[] bytes) => new(new MemoryStream(bytes));

    /// <summary>
    /// A frozen input table is the vectors file itself: left out (at 1M × 64 it is 256 MB of the file); a trained one
    /// is written. Either way the weights read back give the same outputs.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AFrozenInputTableIsLeftOutAndTheModelStillRoundTrips(bool trainInput)
    {
        var vectors = TinyData.Vectors(TinyData.Sentences);
        var config = ModelConfig.For(vectors, "v.bin", LossKind.Cosine, 12, 2, 0, trainInput);
        using var model = new RnnModel(config, vectors.Data);
        var bytes = Saved(model);
        long table = (long)vectors.Count * vectors.Dim * sizeof(float);
        using var full = new MemoryStream();
        using (var writer = new BinaryWriter(full, System.Text.Encoding.UTF8, leaveOpen: true)) model.save(writer);
        if (trainInput) Assert.Equal(full.Length, bytes.Length);
        else Assert.InRange(full.Length - bytes.Length, table, table + 64);   // the table and its name and shape

        using var other = new RnnModel(config, vectors.Data);
        other.LoadWeights(Reader(bytes));
        var ids = tensor(new long[] { 0, 2, 3, 4 }, 4, 1);
        using var _ = no_grad();
        model.eval();
        other.eval();
        Assert.True(model.forward(ids, model.InitHidden(1)).Output.allclose(other.forward(ids, other.InitHidden(1)).Output));
    }

    [Fact]
    public void WeightsOfAnEarlierVersionWithTheTableStillLoad()
    {
        var vectors = TinyData.Vectors(TinyData.Sentences);
        var config = ModelConfig.For(vectors, "v.bin", LossKind.Cosine, 12, 2, 0, false);
        using var model = new RnnModel(config, vectors.Data);
        var full = ResumePoint.Bytes(w => model.save(w));                  // every tensor, the frozen table too
        using var other = new RnnModel(config, vectors.Data);
        other.LoadWeights(Reader(full));
        Assert.Equal(Saved(model), Saved(other));
    }

    [Fact]
    public void WeightsOfAnotherShapeOrWithATensorMissingAreRejected()
    {
        var vectors = TinyData.Vectors(TinyData.Sentences);
        var config = ModelConfig.For(vectors, "v.bin", LossKind.Cosine, 12, 2, 0, false);
        using var model = new RnnModel(config, vectors.Data);
        using var oneLayer = new RnnModel(config with { Layers = 1 }, vectors.Data);
        Assert.ThrowsAny<Exception>(() => model.LoadWeights(Reader(Saved(oneLayer))));   // the second layer's tensors are missing
        using var bigger = new RnnModel(config with { Layers = 3 }, vectors.Data);
        Assert.ThrowsAny<Exception>(() => model.LoadWeights(Reader(Saved(bigger))));     // a third layer the model lacks
    }
}
