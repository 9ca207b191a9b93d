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

    /// <summary>
    /// The one-pass step against TorchSharp's own Adam on the same gradients: parameters of several shapes (lengths
    /// around the 4,096-value chunk and SIMD remainders), a learning-rate change, 30 steps; then each side's saved state
    /// loads into the other.
    /// </summary>
    [Fact]
    public void TheOnePassStepGivesTorchSharpsAdamsUpdates()
    {
        manual_seed(5);
        var shapes = new long[][] { [7, 3], [3], [1, 11], [5, 4, 2], [4095], [4097], [3, 4096], [9001] };
        var ours = shapes.Select(s => new TorchSharp.Modules.Parameter(randn(s))).ToArray();
        var theirs = ours.Select(p => new TorchSharp.Modules.Parameter(p.detach().clone())).ToArray();
        using var adam = Trainer.CreateOptimizer(ours, lr: 0.05);
        using var reference = new TorchSharp.Modules.Adam(theirs, 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8);
        for (int t = 1; t <= 30; t++)
        {
            if (t == 20) foreach (var g in adam.ParamGroups.Concat(reference.ParamGroups)) g.LearningRate = 0.01;
            using var scope = NewDisposeScope();
            var gradients = shapes.Select(s => randn(s) * (t % 7 + 1)).ToArray();
            adam.zero_grad();
            reference.zero_grad();
            for (int i = 0; i < shapes.Length; i++)
            {
                (ours[i] * gradients[i]).sum().backward();
                (theirs[i] * gradients[i]).sum().backward();
            }
            adam.step();
            reference.step();
            for (int i = 0; i < shapes.Length; i++)
            {
                var (a, b) = (ours[i].data<float>().ToArray(), theirs[i].data<float>().ToArray());
                for (int k = 0; k < a.Length; k++)
                    Assert.True(Math.Abs(a[k] - b[k]) <= 1e-5f * Math.Max(1, Math.Abs(b[k])), $"step {t}, parameter {i}[{k}]: {a[k]} vs {b[k]}");
            }
        }
        byte[] Saved(TorchSharp.Modules.OptimizerHelper optimizer)
        {
            var stream = new MemoryStream();
            using (var writer = new BinaryWriter(stream)) optimizer.save_state_dict(writer);
            return stream.ToArray();
        }
        // The saved form names the class: a checkpoint of either loads into the other.
        var (ourState, theirState) = (Saved(adam), Saved(reference));
        Assert.Equal(theirState.Length, ourState.Length);
        using (var reader = new BinaryReader(new MemoryStream(theirState))) adam.load_state_dict(reader);
        using (var reader = new BinaryReader(new MemoryStream(ourState))) reference.load_state_dict(reader);
        Assert.Equal(theirState, Saved(adam));
    }

    [Fact]
    public void AChunkIsUpdatedAsTheFormulaSaysAtEveryLength()
    {
        var random = new Random(4);
        foreach (int n in new[] { 1, 3, 4, 7, 8, 15, 16, 17, 31, 33, 63, 65, 4095, 4096, 4097, 8200 })
        {
            float[] Values(float scale) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5) * scale).ToArray();
            var (p, g, m) = (Values(2), Values(4), Values(0.1f));
            var v = Values(0.01f).Select(Math.Abs).ToArray();
            var (p0, m0, v0) = ((float[])p.Clone(), (float[])m.Clone(), (float[])v.Clone());
            var u = new Adam.Update(0.9f, 0.1f, 0.999f, 0.001f, (float)Math.Sqrt(1 - Math.Pow(0.999, 3)), 1e-8f,
                                    (float)(-(0.01 / (1 - Math.Pow(0.9, 3)))));
            Adam.Step(p, g, m, v, u);
            for (int i = 0; i < n; i++)
            {
                double mi = 0.9 * m0[i] + 0.1 * g[i], vi = 0.999 * v0[i] + 0.001 * g[i] * g[i];
                double pi = p0[i] + u.StepSize * mi / (Math.Sqrt(vi) / u.Root2 + 1e-8);
                Assert.True(Math.Abs(m[i] - mi) < 1e-6 && Math.Abs(v[i] - vi) < 1e-7, $"length {n}, {i}: moments");
                Assert.True(Math.Abs(p[i] - pi) < 1e-5, $"length {n}, {i}: {p[i]} vs {pi}");
            }
        }
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
