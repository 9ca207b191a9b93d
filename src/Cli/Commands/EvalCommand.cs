using System.CommandLine;
using VecLm.Evaluation;
using VecLm.Regressor;

namespace VecLm.Cli;

/// <summary><c>veclm eval</c>: next-word accuracy, perplexity, near-misses and decode cost of one model on a test text.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var model = new Argument<DirectoryInfo>("model") { Description = "A model folder written by veclm train." };
        var test = new Option<FileInfo>("--test") { Description = "Test text, read as the model reads text (pre-tokenised, or with the tokenizer it was trained with).", Required = true };
        var vectors = new Option<FileInfo?>("--vectors") { Description = "The vectors the model was trained with [default: the path in its config.json]." };
        var decoder = DecodeOptions.Decoder("exact search below 30,000 words, HNSW from there: the faster; both are timed");
        var ef = new Option<int>("--ef") { Description = "HNSW search breadth.", DefaultValueFactory = _ => 64 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (keys in the README) instead of a table." };
        var openVocab = new Option<bool>("--open-vocab") { Description = "Also score each position against the true word's own string (a guess of <unk> is a miss), by how often the training text had it." };
        var train = new Option<FileInfo?>("--train") { Description = "With --open-vocab: the training text whose counts make the bands [default: the one the model's config.json records]." };
        var command = new Command("eval", "Score a model on a test text: top-1/top-5, perplexity, mean cosine, near-miss rate, accuracy by frequency band, decode cost.")
        {
            model, test, vectors, decoder, ef, json, openVocab, train,
        };
        var decode = new DecodeOptions();
        decode.AddTo(command);
        var tokenize = new TokenizeOptions("the test text", TokenizeOptions.ForModels);
        tokenize.AddTo(command);
        command.SetAction(parse =>
        {
            if (parse.GetValue(ef) < 1) throw new UsageException("--ef must be at least 1");
            var choice = decode.Read(parse);
            var tokenizer = tokenize.ReadFor(parse, parse.GetValue(model)!.FullName);
            var options = new ScoringOptions { Exact = DecodeOptions.ExactOf(parse, decoder), Ef = parse.GetValue(ef), Rule = choice.Kind, Beta = choice.Beta,
                DecodeVocab = choice.Vocabulary, DecodeVectors = choice.Vectors, UnseenBoost = choice.UnseenBoost,
                OpenVocab = parse.GetValue(openVocab), TrainText = parse.GetValue(train)?.FullName, Tokenizer = tokenizer };
            var scored = Terminal.WithProgress("evaluating", report => ModelEvaluator.Evaluate(parse.GetValue(model)!.FullName,
                parse.GetValue(vectors)?.FullName, parse.GetValue(test)!.FullName, options, p => report(p, "")));
            if (parse.GetValue(json)) Console.WriteLine(scored.Evaluation.ToJson());
            else ReportTable.Print(new ComparisonReport(parse.GetValue(test)!.FullName, [scored.Evaluation], [], []));
            return 0;
        });
        return command;
    }
}
