using static TorchSharp.torch;

namespace VecLm.Regressor.Tests;

/// <summary>The optimizer is PyTorch's Adam (β₁ 0.9, β₂ 0.999, ε 1e-8), checked on updates computed by hand.</summary>
public class OptimizerTests
{
    [Fact]
    public void AdamUpdatesAsPyTorchsDefaultsDo()
    {
        var parameter = new TorchSharp.Modules.Parameter(zeros(1));
        using var adam = Trainer.CreateOptimizer([parameter], lr: 0.1);
        // Large gradients, then small ones: how fast the second moment forgets the large ones is what β₂ sets.
        var gradients = Enumerable.Range(1, 63).Select(t => t <= 3 ? 1.0 : 0.01).ToArray();
        double m = 0, v = 0, p = 0, p99 = 0, v99 = 0;
        for (int t = 1; t <= gradients.Length; t++)
        {
            adam.zero_grad();
            using (var loss = parameter * (float)gradients[t - 1]) loss.sum().backward();   // ∂loss/∂p = g
            adam.step();
            double g = gradients[t - 1];
            m = 0.9 * m + 0.1 * g;
            v = 0.999 * v + 0.001 * g * g;
            p -= 0.1 / (1 - Math.Pow(0.9, t)) * m / (Math.Sqrt(v) / Math.Sqrt(1 - Math.Pow(0.999, t)) + 1e-8);
            v99 = 0.99 * v99 + 0.01 * g * g;
            p99 -= 0.1 / (1 - Math.Pow(0.9, t)) * m / (Math.Sqrt(v99) / Math.Sqrt(1 - Math.Pow(0.99, t)) + 1e-8);
            Assert.Equal(p, parameter.item<float>(), 4);
        }
        Assert.True(Math.Abs(p - p99) > 0.02, "the test would not tell β₂ = 0.99 from 0.999");
    }
}
