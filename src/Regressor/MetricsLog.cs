using System.Globalization;
using System.Text;
using VecLm.Embeddings;

namespace VecLm.Regressor;

/// <summary>
/// <c>metrics.csv</c> in the model folder: one line an epoch (epoch, wall time, train loss, valid loss, top-1,
/// perplexity, learning rate, the prior rule's top-1 and its β, the posterior rule's). Kept in memory and rewritten
/// whole (atomically) after each epoch; a resumed run starts from the lines already there. Files of the earlier seven
/// and nine columns are read too.
/// </summary>
public sealed class MetricsLog
{
    public const string Header = "epoch,wall_seconds,train_loss,valid_loss,top1,perplexity,lr,top1_prior,beta,top1_posterior,posterior_beta";
    private static readonly string[] HeadersBefore =
        ["epoch,wall_seconds,train_loss,valid_loss,top1,perplexity,lr", "epoch,wall_seconds,train_loss,valid_loss,top1,perplexity,lr,top1_prior,beta"];
    private readonly string path;
    private readonly List<EpochMetrics> rows = [];

    public MetricsLog(string path, bool keepExisting)
    {
        this.path = path;
        if (keepExisting && File.Exists(path)) rows.AddRange(Read(path));
    }

    public IReadOnlyList<EpochMetrics> Rows => rows;

    public void Add(EpochMetrics metrics)
    {
        rows.Add(metrics);
        var text = new StringBuilder(Header).Append('\n');
        foreach (var r in rows)
            text.Append(string.Join(',', r.Epoch.ToString(CultureInfo.InvariantCulture), F(r.WallSeconds), F(r.TrainLoss),
                F(r.ValidLoss), F(r.Top1), F(r.Perplexity), F(r.LearningRate), F(r.Top1Prior), F(r.Beta),
                F(r.Top1Posterior), F(r.PosteriorBeta))).Append('\n');
        AtomicFile.WriteText(path, text.ToString());
    }

    public static List<EpochMetrics> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || (lines[0] != Header && !HeadersBefore.Contains(lines[0])))
            throw new InvalidDataException($"not a metrics file: {path}");
        int columns = lines[0].Split(',').Length;
        var result = new List<EpochMetrics>();
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var f = line.Split(',');
            if (f.Length != columns) throw new InvalidDataException($"bad line in {path}: {line}");
            result.Add(new EpochMetrics(int.Parse(f[0], CultureInfo.InvariantCulture), P(f[1]), P(f[2]), P(f[3]), P(f[4]),
                P(f[5]), P(f[6]), columns > 7 ? P(f[7]) : double.NaN, columns > 7 ? P(f[8]) : double.NaN,
                columns > 9 ? P(f[9]) : double.NaN, columns > 9 ? P(f[10]) : double.NaN));
        }
        return result;
    }

    private static string F(double v) => double.IsNaN(v) ? "" : v.ToString("G6", CultureInfo.InvariantCulture);
    private static double P(string s) => s.Length == 0 ? double.NaN : double.Parse(s, CultureInfo.InvariantCulture);
}
