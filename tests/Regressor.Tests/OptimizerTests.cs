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

    [Fact]
    public void TheStepHoldingItsScalarsGivesTorchSharpsAdamsUpdatesBitForBit()
    {
        manual_seed(5);
        var shapes = new long[][] { [7, 3], [3], [1, 11], [5, 4, 2] };
        var ours = shapes.Select(s => new TorchSharp.Modules.Parameter(randn(s))).ToArray();
        var theirs = ours.Select(p => new TorchSharp.Modules.Parameter(p.detach().clone())).ToArray();
        using var held = Trainer.CreateOptimizer(ours, lr: 0.05);
        using var adam = new TorchSharp.Modules.Adam(theirs, 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8);
        for (int t = 1; t <= 30; t++)
        {
            if (t == 20) foreach (var g in held.ParamGroups.Concat(adam.ParamGroups)) g.LearningRate = 0.01;
            using var scope = NewDisposeScope();
            var gradients = shapes.Select(s => randn(s) * (t % 7 + 1)).ToArray();
            held.zero_grad();
            adam.zero_grad();
            for (int i = 0; i < shapes.Length; i++)
            {
                (ours[i] * gradients[i]).sum().backward();
                (theirs[i] * gradients[i]).sum().backward();
            }
            held.step();
            adam.step();
            for (int i = 0; i < shapes.Length; i++)
                Assert.True(ours[i].data<float>().ToArray().SequenceEqual(theirs[i].data<float>().ToArray()), $"step {t}, parameter {i}");
        }
        byte[] Saved(TorchSharp.Modules.OptimizerHelper optimizer)
        {
            var stream = new MemoryStream();
            using (var writer = new BinaryWriter(stream)) optimizer.save_state_dict(writer);
            return stream.ToArray();
        }
        // The saved form names the class: a checkpoint of either loads into the other.
        Assert.Equal(Saved(adam), Saved(held));
        using var reader = new BinaryReader(new MemoryStream(Saved(adam)));
        held.load_state_dict(reader);
    }

    /// <summary>
    /// Trainers stepping on two threads while a third collects garbage and runs finalisers without pause: a Scalar that
    /// a step let go of while LibTorch still read it fails a call ("toFloat", "Unknown scalar type") or corrupts the
    /// update. Every step's result is compared with the same steps run alone.
    /// </summary>
    [Fact]
    public void StepsStayExactWhileTheCollectorRunsOnAnotherThread()
    {
        float[] Run(int seed, int steps, CancellationToken stop = default)
        {
            using var scope = NewDisposeScope();
            using var generator = new Generator((ulong)seed);
            var parameters = Enumerable.Range(0, 8).Select(_ => new TorchSharp.Modules.Parameter(randn(16, generator: generator))).ToArray();
            using var adam = Trainer.CreateOptimizer(parameters, lr: 0.01);
            for (int t = 0; t < steps; t++)
            {
                using var step = NewDisposeScope();
                adam.zero_grad();
                foreach (var p in parameters) (p * p).sum().backward();
                adam.step();
            }
            return parameters.SelectMany(p => p.data<float>().ToArray()).ToArray();
        }
        var alone = new[] { Run(1, 1000), Run(2, 1000) };
        using var stop = new CancellationTokenSource();
        var collector = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested) { GC.Collect(); GC.WaitForPendingFinalizers(); }
        });
        var together = Task.WhenAll(Task.Run(() => Run(1, 1000)), Task.Run(() => Run(2, 1000))).GetAwaiter().GetResult();
        stop.Cancel();
        collector.GetAwaiter().GetResult();
        Assert.Equal(alone[0], together[0]);
        Assert.Equal(alone[1], together[1]);
    }
}
