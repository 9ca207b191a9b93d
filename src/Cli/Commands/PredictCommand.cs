using System.CommandLine;
using System.Globalization;
using VecLm.Embeddings;
using VecLm.Regressor;
using VecLm.Regressor.Generation;

namespace VecLm.Cli;

/// <summary><c>veclm predict</c>: the top-k next words after a prompt, with their cosine (regression) or probability (softmax).</summary>
public static class PredictCommand
{
    public static Command Create()
    {
        var model = new Argument<DirectoryInfo>("model") { Description = "A model folder written by veclm train." };
        var prompt = new Argument<string[]>("prompt") { Description = "Text read as the model reads text: split on white space, or by the tokenizer it was trained with (--tokenize); quote it or give it as several words.", Arity = ArgumentArity.OneOrMore };
        var k = new Option<int>("-k") { Description = "Next words to show.", DefaultValueFactory = _ => 5 };
        var vectors = new Option<FileInfo?>("--vectors") { Description = "The vectors the model was trained with [default: the path in its config.json]." };
        var decoder = DecodeOptions.Decoder("exact search below 30,000 words; from there HNSW once the model has its index, which eval builds: building one takes minutes at a million words, more than exact search costs a prompt");
        var command = new Command("predict", "The most likely next words after a prompt: decoded neighbours and their cosine (regression heads) or probabilities (softmax).")
        {
            model, prompt, k, vectors, decoder,
        };
        var decode = new DecodeOptions();
        decode.AddTo(command);
        var tokenize = new TokenizeOptions("the prompt", TokenizeOptions.ForModels);
        tokenize.AddTo(command);
        command.SetAction(parse =>
        {
            int top = parse.GetValue(k);
            if (top < 1) throw new UsageException($"-k must be at least 1 (got {top})");
            var choice = decode.Read(parse);
            var tokenizer = tokenize.ReadFor(parse, parse.GetValue(model)!.FullName);
            using var trained = TrainedModel.Load(parse.GetValue(model)!.FullName, parse.GetValue(vectors)?.FullName, tokenizer);
            DecodeOptions.Apply(trained, choice);
            DecodeOptions.ApplyDecoder(trained, DecodeOptions.ExactOf(parse, decoder));
            var generator = new Generator(trained);
            var words = generator.Encode(string.Join(' ', parse.GetValue(prompt)!));
            if (words.Unknown.Count > 0) CliRunner.Warn(UnknownWords(words, trained.Tokenizer));
            var ranked = generator.Predict(words.Ids, top);
            bool regression = trained.Config.IsRegression;
            Console.WriteLine($"{"rank",4}  {"word",-24} {generator.ScoreName}" + (regression ? "  cosine" : ""));
            foreach (var (word, r) in ranked.Select((w, r) => (w, r)))
                Console.WriteLine($"{r + 1,4}  {trained.WordOf(word.Id),-24} {F(word.Score)}" + (regression ? $"  {F(word.Cosine)}" : ""));
            return 0;
        });
        return command;
    }

    private static string F(float v) => v.ToString("0.0000", CultureInfo.InvariantCulture);

    /// <summary>
    /// The warning for a prompt with words the model does not know (read as &lt;unk&gt;, or left out), with a hint when
    /// the model reads text split on white space (<paramref name="tokenizer"/> null) and some have punctuation attached.
    /// </summary>
    public static string UnknownWords(Prompt prompt, TokenizerOptions? tokenizer) =>
        $"not in the vocabulary, {(prompt.UnknownLeftOut ? "left out (the vectors have no <unk>)" : "read as <unk>")}: " +
        string.Join(", ", prompt.Unknown.Select(w => $"'{w}'")) +
        (tokenizer is null && prompt.Unknown.Any(w => Split.Split(w).Length > 1)
            ? " (the model reads text split on white space: --tokenize splits punctuation off)" : "");

    private static readonly Tokenizer Split = new(new TokenizerOptions());
}
