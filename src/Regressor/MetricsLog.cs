using System.Globalization;
using System.Text;
using VecLm.Embeddings;

namespace VecLm.Regressor;

/// <summary>
/// <c>metrics.csv</c> in the model folder: one line a validation (epoch, wall time, train loss, valid loss, top-1,
/// perplexity, learning rate, the prior rule's top-1 and its β, the posterior rule's, the step and the epochs trained
/// as a fraction, the seconds spent in training steps). Kept in memory and rewritten whole (atomically) after each validation; a resumed run starts from
/// the lines up to its checkpoint's step (a line written after the checkpoint it resumes from is dropped: the resumed
/// run writes it again). Files of the earlier seven, nine, eleven and thirteen columns are read too. A damaged file is an
/// <see cref="InvalidDataException"/> naming it.
/// </summary>
public sealed class MetricsLog
{
    public const string Header = "epoch,wall_seconds,train_loss,valid_loss,top1,perplexity,lr,top1_prior,beta,top1_posterior,posterior_beta,step,epochs_trained,step_seconds";
    private static readonly string[] HeadersBefore =
    [
        "epoch,wall_seconds,train_loss,valid_loss,top1,perplexity,lr", "epoch,wall_seconds,train_loss,valid_loss,top1,perplexity,lr,top1_prior,beta",
        "epoch,wall_seconds,train_loss,valid_loss,top1,perplexity,lr,top1_prior,beta,top1_posterior,posterior_beta",
        "epoch,wall_seconds,train_loss,valid_loss,top1,perplexity,lr,top1_prior,beta,top1_posterior,posterior_beta,step,epochs_trained",
    ];
    private readonly string path;
    private readonly List<EpochMetrics> rows = [];

    /// <summary>A log at <paramref name="path"/>, keeping the lines already there up to step <paramref name="keepUpToStep"/> (null: none).</summary>
    public MetricsLog(string path, long? keepUpToStep)
    {
        this.path = path;
        if (keepUpToStep is { } step && File.Exists(path)) rows.AddRange(Read(path).Where(r => r.Step <= step));
    }

    public IReadOnlyList<EpochMetrics> Rows => rows;

    public void Add(EpochMetrics metrics)
    {
        rows.Add(metrics);
        var text = new StringBuilder(Header).Append('\n');
        foreach (var r in rows)
            text.Append(string.Join(',', r.Epoch.ToString(CultureInfo.InvariantCulture), F(r.WallSeconds), F(r.TrainLoss),
                F(r.ValidLoss), F(r.Top1), F(r.Perplexity), F(r.LearningRate), F(r.Top1Prior), F(r.Beta),
                F(r.Top1Posterior), F(r.PosteriorBeta), r.Step.ToString(CultureInfo.InvariantCulture), F(r.EpochsTrained), F(r.StepSeconds))).Append('\n');
        Checkpoint.Write(path, () => AtomicFile.WriteText(path, text.ToString()));
    }

    public static List<EpochMetrics> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || (lines[0] != Header && !HeadersBefore.Contains(lines[0])))
            throw new InvalidDataException($"'{path}' is damaged or not a metrics file (its first line is not the header)");
        int columns = lines[0].Split(',').Length;
        var result = new List<EpochMetrics>();
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var f = line.Split(',');
            try
            {
                if (f.Length != columns) throw new FormatException();
                result.Add(new EpochMetrics(int.Parse(f[0], CultureInfo.InvariantCulture), P(f[1]), P(f[2]), P(f[3]), P(f[4]),
                    P(f[5]), P(f[6]), columns > 7 ? P(f[7]) : double.NaN, columns > 7 ? P(f[8]) : double.NaN,
                    columns > 9 ? P(f[9]) : double.NaN, columns > 9 ? P(f[10]) : double.NaN,
                    columns > 11 ? long.Parse(f[11], CultureInfo.InvariantCulture) : 0, columns > 11 ? P(f[12]) : double.NaN,
                    columns > 13 ? P(f[13]) : double.NaN));
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                throw new InvalidDataException($"'{path}' is damaged: bad line '{Shorten(line)}'");
            }
        }
        return result;
    }

    private static string Shorten(string line) =>
        new string(line.Take(60).Select(c => char.IsControl(c) ? '?' : c).ToArray()) + (line.Length > 60 ? "…" : "");

    private static string F(double v) => double.IsNaN(v) ? "" : v.ToString("G6", CultureInfo.InvariantCulture);
    private static double P(string s) => s.Length == 0 ? double.NaN : double.Parse(s, CultureInfo.InvariantCulture);
}
