using System.CommandLine;
using VecLm.Regressor;
using VecLm.Regressor.Generation;

namespace VecLm.Cli;

/// <summary><c>veclm generate</c>: continues a prompt by sampling (temperature, nucleus top-p, seeded) or greedily.</summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var model = new Argument<DirectoryInfo>("model") { Description = "A model folder written by veclm train." };
        var prompt = new Argument<string[]>("prompt") { Description = "Text read as the model reads text: split on white space, or by the tokenizer it was trained with (--tokenize); quote it or give it as several words.", Arity = ArgumentArity.OneOrMore };
        var count = new Option<int>("-n") { Description = "Tokens to generate (</s> counts as one and is printed as a line break).", DefaultValueFactory = _ => 30 };
        var temperature = new Option<double>("--temperature") { Description = "Softmax temperature over the candidates' logits (log probability, or cosine for a regression head); 0 is greedy.", DefaultValueFactory = _ => 1.0 };
        var topP = new Option<double>("--top-p") { Description = "Nucleus sampling: only the most likely candidates whose probability reaches this.", DefaultValueFactory = _ => 0.9 };
        var seed = new Option<int?>("--seed") { Description = "Random seed: the same seed gives the same text [default: a new one every run]." };
        var vectors = new Option<FileInfo?>("--vectors") { Description = "The vectors the model was trained with [default: the path in its config.json]." };
        var decoder = DecodeOptions.Decoder("exact search below 30,000 words; from there HNSW once the model has its index, which eval builds: building one takes minutes at a million words, more than exact search costs a continuation");
        var command = new Command("generate", "Continue a prompt: softmax heads sample the vocabulary, regression heads their 50 decoded neighbours (weights exp(score / T), the decoding rule's score).")
        {
            model, prompt, count, temperature, topP, seed, vectors, decoder,
        };
        var decode = new DecodeOptions();
        decode.AddTo(command);
        var tokenize = new TokenizeOptions("the prompt", TokenizeOptions.ForModels);
        tokenize.AddTo(command);
        command.SetAction(parse =>
        {
            int n = parse.GetValue(count);
            if (n < 1) throw new UsageException($"-n must be at least 1 (got {n})");
            var sampler = new Sampler(parse.GetValue(temperature), parse.GetValue(topP), parse.GetValue(seed));
            var choice = decode.Read(parse);
            var tokenizer = tokenize.ReadFor(parse, parse.GetValue(model)!.FullName);
            using var trained = TrainedModel.Load(parse.GetValue(model)!.FullName, parse.GetValue(vectors)?.FullName, tokenizer);
            DecodeOptions.Apply(trained, choice);
            DecodeOptions.ApplyDecoder(trained, DecodeOptions.ExactOf(parse, decoder));
            var generator = new Generator(trained);
            var words = generator.Encode(string.Join(' ', parse.GetValue(prompt)!));
            if (words.Unknown.Count > 0) CliRunner.Warn(PredictCommand.UnknownWords(words, trained.Tokenizer));
            var continuation = generator.Generate(words.Ids, n, sampler);
            var text = Generator.Text([.. words.Words, .. generator.Words(continuation)]);
            Console.Write(text.EndsWith('\n') ? text : text + "\n");
            return 0;
        });
        return command;
    }
}
