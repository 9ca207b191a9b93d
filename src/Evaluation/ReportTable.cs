using Spectre.Console;

namespace VecLm.Evaluation;

/// <summary>The comparison table on the terminal (models as columns) and the decoding-rule table, as in report.md.</summary>
public static class ReportTable
{
    public static void Print(ComparisonReport report)
    {
        var table = new Table().AddColumn("");
        foreach (var m in report.Models) table.AddColumn(new TableColumn(Markup.Escape(m.Name)).RightAligned());
        foreach (var (label, cells) in report.TableRows()) table.AddRow([Markup.Escape(label), .. cells.Select(Markup.Escape)]);
        AnsiConsole.Write(table);
        if (report.Models.All(m => m.Rules.Count == 0)) return;
        var rules = new Table();
        foreach (var (column, i) in ComparisonReport.RuleColumns.Select((c, i) => (c, i)))
            rules.AddColumn(i < 4 ? new TableColumn(Markup.Escape(column)) : new TableColumn(Markup.Escape(column)).RightAligned());
        foreach (var row in report.RuleRows()) rules.AddRow(row.Select(Markup.Escape).ToArray());
        AnsiConsole.Write(rules);
    }
}
