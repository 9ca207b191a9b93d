using System.Globalization;
using System.Text;

namespace VecLm.Evaluation;

/// <summary>One test context and what every model predicted after it: (word, score) pairs, best first.</summary>
/// <summary>A test context, its true next word and every model's top guesses; <see cref="Unseen"/>: a word the training text never had.</summary>
public sealed record Example(string Context, string TrueWord, IReadOnlyList<IReadOnlyList<(string Word, float Score)>> Predictions,
                             bool Unseen = false);

/// <summary>
/// The comparison of several models on one test set: a table with the models as columns, the plots, and examples
/// side by side. <see cref="Write"/> makes <c>report.md</c> and its PNGs in a folder.
/// </summary>
public sealed record ComparisonReport(
    string TestPath, IReadOnlyList<ModelEvaluation> Models, IReadOnlyList<TrainingCurve> Curves, IReadOnlyList<Example> Examples)
{
    public const string CurvesPng = "validation-top1.png";
    public const string BandsPng = "band-top1.png";

    /// <summary>The rows of the table: a label and the text of each model's cell.</summary>
    public IEnumerable<(string Label, string[] Cells)> TableRows()
    {
        yield return ("loss", Cells(m => m.Loss));
        yield return ("targets", Cells(m => m.Targets ?? "–"));
        yield return ("decoding", Cells(m => m.Rule));
        yield return ("decoder of the scores", Cells(m => m.Decoder ?? "–"));
        yield return ("top-1", Cells(m => F(m.Top1)));
        yield return ("top-5", Cells(m => F(m.Top5)));
        yield return ("perplexity", Cells(m => m.Perplexity is { } p ? p.ToString("0.0", CultureInfo.InvariantCulture) : "–"));
        yield return ("mean cosine (predicted, true)", Cells(m => F(m.MeanCosine)));
        yield return ("near-miss rate", Cells(m => F(m.NearMiss)));
        foreach (var band in FrequencyBands.Names)
            yield return ($"top-1, {band}", Cells(m => m.BandTop1.TryGetValue(band, out var b) ? F(b.Top1) : "–"));
        if (Models.Any(m => m.DecodeVocab is not null))
        {
            yield return ("decode vocabulary: words (never in training)", Cells(m => m.DecodeVocab is { } d ? $"{d.Words:N0} ({d.UnseenWords:N0})" : "–"));
            yield return ("boost γ of the words never in training", Cells(m => m.DecodeVocab is { } d
                ? d.Boost.ToString("0.#", CultureInfo.InvariantCulture) + (d.BoostCurve.Count > 0 ? " (fitted)" : "") : "–"));
        }
        if (Models.Any(m => m.OpenVocab is not null))
        {
            yield return ("open vocabulary: strict top-1 (no <unk> credit)", Cells(m => m.OpenVocab is { } o ? F(o.Top1) : "–"));
            yield return ("open vocabulary: strict top-5", Cells(m => m.OpenVocab is { } o ? F(o.Top5) : "–"));
            foreach (var band in OpenVocabulary.Bands)
                yield return ($"open top-1 / top-5, {band} ({Models.First(m => m.OpenVocab is not null).OpenVocab!.Bands[band].Tokens:N0} tokens)",
                    Cells(m => m.OpenVocab is { } o ? $"{F(o.Bands[band].Top1)} / {F(o.Bands[band].Top5)}" : "–"));
        }
        yield return ("decode µs/token, HNSW", Cells(m => Micro(m.DecodeMicrosHnsw)));
        yield return ("decode µs/token, exact", Cells(m => Micro(m.DecodeMicrosExact)));
        yield return ("HNSW agreement with exact", Cells(m => m.HnswAgreement is { } a ? F(a) : "–"));
        yield return ("output layer + decode µs/token (through the decoder above)", Cells(m => Micro(m.OutputMicros)));
        yield return ("parameters (trained)", Cells(m => m.Parameters.ToString("N0", CultureInfo.InvariantCulture)));
        yield return ("training wall time (s)", Cells(m => m.TrainSeconds is { } s ? s.ToString("0", CultureInfo.InvariantCulture) : "–"));
        yield return ("training tokens/s (wall time)", Cells(m => m.TokensPerSecond is { } t ? t.ToString("N0", CultureInfo.InvariantCulture) : "–"));
        yield return ("training step tokens/s", Cells(m => m.StepTokensPerSecond is { } t ? t.ToString("N0", CultureInfo.InvariantCulture) : "–"));
        yield return ("test tokens", Cells(m => m.Tokens.ToString("N0", CultureInfo.InvariantCulture)));
    }

    /// <summary>
    /// The decoding table: a row per model and rule (loss × targets × rule), the accuracy figures and decode cost of
    /// each; a softmax model's row is its own output layer.
    /// </summary>
    public IEnumerable<string[]> RuleRows()
    {
        foreach (var m in Models)
        {
            if (m.Rules.Count == 0)
            {
                yield return [m.Name, m.Loss, "–", m.Rule, F(m.Top1), F(m.Top5), F(m.NearMiss), F(m.MeanCosine),
                              "–", "–", Micro(m.OutputMicros), "–"];
                continue;
            }
            foreach (var r in m.Rules)
                yield return [m.Name, m.Loss, m.Targets ?? "–", r.Rule, F(r.Top1), F(r.Top5), F(r.NearMiss), F(r.MeanCosine),
                              Micro(r.DecodeMicrosHnsw), Micro(r.DecodeMicrosExact), "–", F(r.HnswAgreement)];
        }
    }

    public static readonly string[] RuleColumns =
        ["model", "loss", "targets", "decoding", "top-1", "top-5", "near-miss", "mean cosine", "decode µs/token (HNSW)",
         "decode µs/token (exact)", "output layer µs/token", "HNSW agreement"];

    public const string ReportFile = "report.md";

    /// <summary>
    /// Writes report.md and its plots into <paramref name="folder"/> (created if needed), replacing an earlier report:
    /// the three files are renamed into place only once all are complete, so a failed write keeps the old report whole.
    /// </summary>
    public void Write(string folder)
    {
        try { Directory.CreateDirectory(folder); }
        catch (UnauthorizedAccessException e) { throw new IOException($"cannot create the report folder {folder}: {e.Message}", e); }
        byte[] curves = ReportPlots.Curves(Curves), bands = ReportPlots.Bands(Models);
        byte[] markdown = new UTF8Encoding(false).GetBytes(Markdown());
        Embeddings.AtomicFile.WriteAll(
            (Path.Combine(folder, CurvesPng), stream => stream.Write(curves)),
            (Path.Combine(folder, BandsPng), stream => stream.Write(bands)),
            (Path.Combine(folder, ReportFile), stream => stream.Write(markdown)));
    }

    public string Markdown()
    {
        var md = new StringBuilder();
        md.AppendLine("# VecLm comparison").AppendLine();
        md.AppendLine($"Test set: `{TestPath}`, {Models.FirstOrDefault()?.Tokens ?? 0:N0} tokens scored by every model. " +
                      "Near-miss rate: of the wrong top-1 predictions, the share that is among the 10 nearest " +
                      "neighbours of the true word (by the centred word vectors, the same for every model); mean cosine: " +
                      "between the predicted word's centred vector and the true word's. Bands: the 100 most frequent training words, the next 900, the " +
                      "rest, and `<unk>`." + (Models.Any(m => m.OpenVocab is not null)
                          ? " Open vocabulary: each position scored against the true word's own string, a guess of `<unk>` a miss; " +
                            "bands by the true word's count in the training text: seen 3+ times, 1–2 times, never but decodable " +
                            "(`unseen`), and in no model's vocabulary (`none`)."
                          : "")).AppendLine();
        md.AppendLine("| | " + string.Join(" | ", Models.Select(m => Escape(m.Name))) + " |");
        md.AppendLine("|---|" + string.Concat(Models.Select(_ => "---:|")));
        foreach (var (label, cells) in TableRows()) md.AppendLine($"| {label} | {string.Join(" | ", cells)} |");
        md.AppendLine();
        md.AppendLine("## Decoding rules").AppendLine();
        md.AppendLine("Every regression model decoded under each rule on the same predictions: plain cosine; the prior, " +
                      "cosine + β·ln p(w) with β fitted on validation predictions after training; the posterior, ŷ·t(w) + " +
                      "β·ln p(w) (the prior weighed against the prediction's length), β fitted likewise; CSLS, cosine minus half " +
                      "the word's hubness. Decode cost per token on one thread, through HNSW (re-ranking its candidates) " +
                      "and exact search; agreement is HNSW's top-1 against the exact rule's. A softmax model's cost is " +
                      "its Linear(hidden → |V|) layer and normalisation.").AppendLine();
        md.AppendLine("| " + string.Join(" | ", RuleColumns) + " |");
        md.AppendLine("|---|---|---|---|" + string.Concat(RuleColumns.Skip(4).Select(_ => "---:|")));
        foreach (var row in RuleRows()) md.AppendLine("| " + string.Join(" | ", row.Select(Escape)) + " |");
        md.AppendLine();
        foreach (var m in Models.Where(m => m.DecodeVocab is { BoostCurve.Count: > 0 }))
        {
            md.AppendLine($"## Decode vocabulary: {Escape(m.Name)}").AppendLine();
            md.AppendLine($"{m.DecodeVocab!.Words:N0} words, {m.DecodeVocab.UnseenWords:N0} of them never in the training text; their prior " +
                          "(an even share of `<unk>`'s training mass, raised by e^γ) fitted on validation predictions: strict top-1 and " +
                          "top-5 against the true word's string, and top-5 on the positions whose word the training text never had.").AppendLine();
            md.AppendLine("| γ | top-1 | top-5 | unseen top-5 |").AppendLine("|---:|---:|---:|---:|");
            foreach (var p in m.DecodeVocab.BoostCurve)
                md.AppendLine($"| {p.Boost.ToString("0.#", CultureInfo.InvariantCulture)}{(p.Boost == m.DecodeVocab.Boost ? " (chosen)" : "")} | {F(p.Top1)} | {F(p.Top5)} | {F(p.UnseenTop5)} |");
            md.AppendLine();
            if (m.DecodeVocab.UnseenRank is { } r)
                md.AppendLine($"Where the model points on the {r.Positions:N0} validation positions whose word it never had: that word's " +
                              $"rank by cosine among the {m.DecodeVocab.UnseenWords:N0} such words has median {r.Median:N0}; " +
                              $"within 5: {F(r.Within5)}, within 100: {F(r.Within100)}, within 1,000: {F(r.Within1000)}. " +
                              "No prior over them can put a word in the top 5 that the prediction does not rank there among its peers.").AppendLine();
        }
        md.AppendLine($"![Validation top-1 against training time]({CurvesPng})").AppendLine();
        md.AppendLine($"![Top-1 by frequency band]({BandsPng})").AppendLine();
        foreach (var unseen in new[] { false, true })
        {
            var examples = Examples.Where(e => e.Unseen == unseen).ToList();
            if (examples.Count == 0) continue;
            md.AppendLine(unseen ? "## Words the training text never had" : "## Examples").AppendLine();
            md.AppendLine(unseen
                ? "Test positions whose true word never occurred in the training text (evenly spaced among them): a softmax " +
                  "cannot name it; a regression model can when its decode vocabulary has it."
                : "Each model's top predictions after the context: a regression model's decoded neighbours " +
                  "with their cosine, a softmax model's words with their probability.").AppendLine();
            md.AppendLine("| context | true | " + string.Join(" | ", Models.Select(m => Escape(m.Name))) + " |");
            md.AppendLine("|---|---|" + string.Concat(Models.Select(_ => "---|")));
            foreach (var e in examples)
                md.AppendLine($"| …{Escape(e.Context)} | **{Escape(e.TrueWord)}** | " +
                              string.Join(" | ", e.Predictions.Select(p => string.Join(", ",
                                  p.Select(w => (w.Word == e.TrueWord ? $"**{Escape(w.Word)}**" : Escape(w.Word)) +
                                                $" {w.Score.ToString("0.00", CultureInfo.InvariantCulture)}")))) + " |");
            md.AppendLine();
        }
        return md.ToString();
    }

    private string[] Cells(Func<ModelEvaluation, string> cell) => Models.Select(cell).ToArray();
    private static string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
    private static string Micro(double? v) => v is { } x ? x.ToString("0.0", CultureInfo.InvariantCulture) : "–";
    private static string Escape(string s) => s.Replace("|", "\\|").Replace("`", "\\`").Replace("*", "\\*");
}
