using ScottPlot;

namespace VecLm.Evaluation;

/// <summary>One model's validation top-1 after each epoch, against the wall-clock time of training.</summary>
public sealed record TrainingCurve(string Name, double[] Seconds, double[] Top1);

/// <summary>The report's PNG plots, drawn with ScottPlot (the PNG bytes; the report writes them).</summary>
public static class ReportPlots
{
    private const int Width = 900, Height = 540;

    /// <summary>Validation top-1 against training wall time, a line per model: where the lines cross is the story.</summary>
    public static byte[] Curves(IReadOnlyList<TrainingCurve> curves)
    {
        var plot = new Plot();
        foreach (var curve in curves.Where(c => c.Seconds.Length > 0))
        {
            var line = plot.Add.Scatter(curve.Seconds, curve.Top1);
            line.LegendText = curve.Name;
            line.LineWidth = 2;
            line.MarkerSize = 7;
        }
        plot.Title("Validation top-1 against training time");
        plot.XLabel("wall-clock seconds of training");
        plot.YLabel("validation top-1 (regression: best of prior, posterior)");
        plot.Axes.SetLimitsY(0, Math.Max(0.05, curves.SelectMany(c => c.Top1).DefaultIfEmpty(0).Max() * 1.15));
        plot.ShowLegend(Alignment.LowerRight);
        return Png(plot);
    }

    /// <summary>Top-1 by frequency band: a group of bars per band, a bar per model.</summary>
    public static byte[] Bands(IReadOnlyList<ModelEvaluation> models)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int bands = FrequencyBands.Names.Length;
        double width = 0.8 / Math.Max(1, models.Count);
        for (int m = 0; m < models.Count; m++)
        {
            var bars = new List<Bar>();
            for (int b = 0; b < bands; b++)
            {
                double value = models[m].BandTop1.TryGetValue(FrequencyBands.Names[b], out var band) ? band.Top1 : 0;
                bars.Add(new Bar
                {
                    Position = b + (m - (models.Count - 1) / 2.0) * width,
                    Value = value,
                    Size = width * 0.95,
                    FillColor = palette.GetColor(m),
                });
            }
            plot.Add.Bars(bars);
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = models[m].Name, FillColor = palette.GetColor(m) });
        }
        var ticks = FrequencyBands.Names.Select((n, i) => new Tick(i, n)).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.SetLimitsY(0, 1);
        plot.Title("Top-1 accuracy by frequency band of the true word (test)");
        plot.YLabel("top-1");
        plot.ShowLegend(Alignment.UpperRight);
        return Png(plot);
    }

    private static byte[] Png(Plot plot) => plot.GetImageBytes(Width, Height, ImageFormat.Png);
}
