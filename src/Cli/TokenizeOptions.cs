using System.CommandLine;
using VecLm.Embeddings;

namespace VecLm.Cli;

/// <summary>
/// <c>--tokenize</c> and <c>--lowercase</c>, shared by the commands that read text (embed, train, eval, compare,
/// predict, generate): raw text split into words and punctuation by <see cref="Tokenizer"/>. What embed and train used
/// is recorded (beside the vectors, in the model's config.json) and applied from there by itself; given where nothing is
/// recorded, the flags apply; given otherwise, they must say what is recorded (<see cref="TokenizerOptions.Choose"/>).
/// </summary>
public sealed class TokenizeOptions(string what, string recorded)
{
    public Option<bool> Tokenize { get; } = new("--tokenize")
    {
        Description = $"Raw text: split {what} into words and punctuation (\"film,\" → film ,; don't, state-of-the-art, 3.14 stay whole) " +
                      $"instead of on white space. {recorded}",
    };

    public Option<bool> Lowercase { get; } = new("--lowercase")
    {
        Description = "With --tokenize: lowercase every token (culture-invariant).",
    };

    /// <summary>What the flags do for commands that read text for a trained model.</summary>
    public const string ForModels = "A model trained with --tokenize needs no flag: what it records applies; for one trained without, this splits the text (a note says so).";

    public void AddTo(Command command)
    {
        command.Options.Add(Tokenize);
        command.Options.Add(Lowercase);
    }

    /// <summary>The tokenizer asked for, or null when <c>--tokenize</c> is not given.</summary>
    public TokenizerOptions? Read(ParseResult parse)
    {
        bool lowercase = parse.GetValue(Lowercase);
        if (parse.GetValue(Tokenize)) return new TokenizerOptions { Lowercase = lowercase };
        if (lowercase) throw new UsageException("--lowercase goes with --tokenize (it lowercases the tokens it makes)");
        return null;
    }

    /// <summary>
    /// For commands that read text for trained models: the tokenizer asked for (<see cref="Read"/>), with a note on
    /// stderr for each model folder whose record it does not plainly match (a mismatch is an error).
    /// </summary>
    public TokenizerOptions? ReadFor(ParseResult parse, params IEnumerable<string> modelFolders)
    {
        var tokenizer = Read(parse);
        foreach (var folder in modelFolders) Say(Regressor.TrainedModel.TokenizerFor(folder, tokenizer));
        return tokenizer;
    }

    /// <summary>Says on stderr which tokenizer applies when it is not plainly the one asked for.</summary>
    public static void Say(TokenizerChoice choice)
    {
        if (choice.Note is { } note) Console.Error.WriteLine($"veclm: {note}");
    }
}
