using VecLm.Embeddings;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace VecLm.Regressor.Tests;

/// <summary>
/// The sampled loss: its exact form against a hand-built softmax over ŷ·e(w) + ln p(w), and its sampled gradient
/// against the exact gradient, which it must estimate.
/// </summary>
public class SampledLossTests
{
    private const int Words = 30, Dim = 8;

    private static (TargetVectors Targets, long[] Counts) Vocabulary()
    {
        var random = new Random(5);
        var rows = Enumerable.Range(0, Words * Dim).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var counts = Enumerable.Range(0, Words).Select(w => (long)(1000 / (w + 1))).ToArray();
        var words = Enumerable.Range(0, Words).Select(i => $"w{i}").ToArray();
        var vectors = new Embeddings.WordVectors(new Embeddings.Vocabulary(words, counts), Dim, rows);
        return (TargetVectors.Create(vectors, PostProcessing.Raw.Fit(vectors)), counts);
    }

    private static Tensor Outputs(int n, int seed)
    {
        var random = new Random(seed);
        return tensor(Enumerable.Range(0, n * Dim).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray(), n, Dim);
    }

    [Fact]
    public void The_exact_loss_is_the_cross_entropy_of_dot_products_plus_the_log_prior()
    {
        var (targets, counts) = Vocabulary();
        using var _ = targets;
        using var loss = new SampledLoss(targets, counts);
        using var output = Outputs(6, seed: 1);
        using var ids = tensor(new long[] { 0, 3, 7, 29, 1, 0 });
        double total = counts.Sum() + Words;
        var logP = counts.Select(c => Math.Log((c + 1) / total)).ToArray();
        var e = targets.ToArray();
        var y = output.data<float>().ToArray();
        double expected = 0;
        for (int i = 0; i < 6; i++)
        {
            var logits = Enumerable.Range(0, Words)
                .Select(w => Enumerable.Range(0, Dim).Sum(d => (double)y[i * Dim + d] * e[w * Dim + d]) + logP[w]).ToArray();
            double max = logits.Max(), logZ = max + Math.Log(logits.Sum(l => Math.Exp(l - max)));
            expected += logZ - logits[ids[i].item<long>()];
        }
        using var value = loss.Forward(output, ids);
        Assert.Equal(expected / 6, value.item<float>(), 4);
        Assert.Equal(expected / 6, loss.Value(output, ids), 4);   // the validation's fused path
        // A chunk of 7 rows for 6 positions: 30 words in 5 chunks, the last of 2 rows, word 29 in it.
        using var chunked = new SampledLoss(targets, counts) { ValueChunkBytes = 4 * 6 * 7 };
        Assert.Equal(expected / 6, chunked.Value(output, ids), 4);
        Assert.Equal(expected / 6, chunked.Value(output, ids), 4);   // the kept buffer, again
    }

    [Fact]
    public void The_sampled_gradient_estimates_the_exact_one()
    {
        var (targets, counts) = Vocabulary();
        using var _ = targets;
        TorchSharp.torch.random.manual_seed(3);
        foreach (double power in new[] { 1.0, 0.75, 0.0 })
        {
            using var loss = new SampledLoss(targets, counts, negatives: 4096, power: power);
            using var output = Outputs(16, seed: 2).requires_grad_(true);
            using var ids = tensor(Enumerable.Range(0, 16).Select(i => (long)(i * 7 % Words)).ToArray());
            using (var exact = loss.Forward(output, ids)) exact.backward();
            var exactGrad = output.grad!.clone();
            output.grad!.zero_();
            using (var sampled = loss.SampledForward(output, ids)) sampled.backward();
            using var cos = F.cosine_similarity(exactGrad, output.grad!, dim: 1);     // [16], per position
            float worst = cos.min().item<float>();
            Assert.True(worst > 0.95, $"power {power}: the worst position's gradient cosine is {worst:F3}");
            exactGrad.Dispose();
        }
    }

    [Fact]
    public void A_negative_that_is_the_target_does_not_count()
    {
        // Two words; the proposal is uniform, so most batches sample the target itself as a negative. Were those
        // counted, the loss would stay at least ln 2 even for an output that singles the target out; masked, it goes to 0.
        var words = new[] { "a", "b" };
        var vectors = new Embeddings.WordVectors(new Embeddings.Vocabulary(words, [1, 1]), 2, [1, 0, -1, 0]);
        using var targets = TargetVectors.Create(vectors, PostProcessing.Raw.Fit(vectors));
        using var loss = new SampledLoss(targets, [1, 1], negatives: 64, power: 0);
        using var output = tensor(new float[] { 40, 0 }, 1, 2);                    // ŷ·e(a) = 40, ŷ·e(b) = −40
        using var ids = tensor(new long[] { 0 });
        using var value = loss.SampledForward(output, ids);
        Assert.True(value.item<float>() < 1e-6, $"loss {value.item<float>()}");
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        var (targets, counts) = Vocabulary();
        using var _ = targets;
        Assert.Contains("word counts", Assert.Throws<ArgumentException>(() => new SampledLoss(targets, [1, 2])).Message);
        Assert.Contains("--negatives", Assert.Throws<BadInputException>(() => new SampledLoss(targets, counts, 0)).Message);
        Assert.Contains("power", Assert.Throws<ArgumentException>(() => new SampledLoss(targets, counts, 8, 1.5)).Message);
    }
}
