using System.CommandLine;
using VecLm.Evaluation;

namespace VecLm.Cli;

/// <summary><c>veclm compare</c>: several models on the same test tokens, side by side, in report.md with plots.</summary>
public static class CompareCommand
{
    public static Command Create()
    {
        var models = new Argument<DirectoryInfo[]>("models") { Description = "One or more model folders written by veclm train (two or more side by side).", Arity = ArgumentArity.OneOrMore };
        var test = new Option<FileInfo>("--test") { Description = "Test text, read as the models read text (pre-tokenised, or with the tokenizer they were trained with).", Required = true };
        var output = new Option<DirectoryInfo>("--output", "-o") { Description = "Report folder (report.md and PNG plots).", DefaultValueFactory = _ => new DirectoryInfo("report") };
        var examples = new Option<int>("--examples") { Description = "Test contexts shown with every model's predictions.", DefaultValueFactory = _ => 20 };
        var vectors = new Option<FileInfo?>("--vectors") { Description = "The vectors the models were trained with [default: each model's own]." };
        var ef = new Option<int>("--ef") { Description = "HNSW search breadth for the regression models.", DefaultValueFactory = _ => 64 };
        var force = new Option<bool>("--force") { Description = "Replace the report in a folder that holds one (without it, that is an error)." };
        var openVocab = new Option<bool>("--open-vocab") { Description = "Also score each position against the true word's own string (a guess of <unk> is a miss), by how often the training text had it." };
        var train = new Option<FileInfo?>("--train") { Description = "With --open-vocab: the training text whose counts make the bands [default: the one the model's config.json records]." };
        var decoder = DecodeOptions.Decoder("exact search below 30,000 words, HNSW from there: the faster; both are timed; the demo uses exact");
        var command = new Command("compare", "Compare models on one test text: a table, validation curves against wall time, accuracy by band, and examples.")
        {
            models, test, output, examples, vectors, decoder, ef, force, openVocab, train,
        };
        var decode = new DecodeOptions();
        decode.AddTo(command);
        var tokenize = new TokenizeOptions("the test text", TokenizeOptions.ForModels);
        tokenize.AddTo(command);
        command.SetAction(parse =>
        {
            if (parse.GetValue(examples) < 0) throw new UsageException("--examples must be 0 or more");
            if (parse.GetValue(ef) < 1) throw new UsageException("--ef must be at least 1");
            var dirs = parse.GetValue(models)!.Select(d => d.FullName).ToList();
            var choice = decode.Read(parse);
            var tokenizer = tokenize.Read(parse);
            var folder = parse.GetValue(output)!.FullName;
            OutputPath.EnsureReportFolder(folder, ComparisonReport.ReportFile, parse.GetValue(force));
            foreach (var note in ModelEvaluator.Tokenizers(dirs, tokenizer)) TokenizeOptions.Say(note);
            var report = Terminal.WithProgress("comparing", progress => ModelEvaluator.Compare(dirs, parse.GetValue(vectors)?.FullName,
                parse.GetValue(test)!.FullName, new ScoringOptions { Exact = DecodeOptions.ExactOf(parse, decoder), Ef = parse.GetValue(ef), Rule = choice.Kind, Beta = choice.Beta,
                DecodeVocab = choice.Vocabulary, DecodeVectors = choice.Vectors, UnseenBoost = choice.UnseenBoost,
                    OpenVocab = parse.GetValue(openVocab), TrainText = parse.GetValue(train)?.FullName, Tokenizer = tokenizer }, parse.GetValue(examples),
                (dir, p) => progress((dirs.IndexOf(dir) + p) / dirs.Count, Path.GetFileName(dir))));
            report.Write(folder);
            ReportTable.Print(report);
            Console.WriteLine($"report: {Path.Combine(folder, ComparisonReport.ReportFile)}");
            return 0;
        });
        return command;
    }
}
