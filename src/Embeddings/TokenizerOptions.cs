using System.Text.Json.Serialization;

namespace VecLm.Embeddings;

/// <summary>
/// How raw text is split into tokens: <c>--tokenize [--lowercase]</c>, the rules of <see cref="Tokenizer"/> version
/// <see cref="Version"/>. Wherever one is expected, null means pre-tokenised text, split on white space. Recorded with the
/// vectors (<see cref="TokenizerFile"/>) and in a model's config.json, and applied from there by every command that reads
/// text for them (<see cref="Choose"/>), so a model never sees text tokenised two ways.
/// </summary>
public sealed record TokenizerOptions
{
    /// <summary>The version of the rules; a change to them that splits any text differently gets a new one.</summary>
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;
    public bool Lowercase { get; init; }

    /// <summary>The command-line flags that ask for this tokenizer.</summary>
    [JsonIgnore] public string Flags => Lowercase ? "--tokenize --lowercase" : "--tokenize";

    /// <summary>The flags of <paramref name="tokenizer"/>, or what null means.</summary>
    public static string Describe(TokenizerOptions? tokenizer) => tokenizer?.Flags ?? "no --tokenize (text split on white space)";

    /// <summary>
    /// The tokenizer text is read with when <paramref name="source"/> (e.g. "the vectors 'v.bin'") records
    /// <paramref name="recorded"/> and the command line gives <paramref name="given"/> (null: no flag): the recorded one
    /// applies by itself; a flag given where none is recorded applies (with a note: the recorded text was split on white
    /// space), except on <paramref name="resume"/>, where the training text must be read as before; a flag that differs
    /// from the recorded tokenizer is a <see cref="BadInputException"/>.
    /// </summary>
    public static TokenizerChoice Choose(TokenizerOptions? recorded, TokenizerOptions? given, string source, bool resume = false)
    {
        if (recorded is { Version: < 1 or > CurrentVersion })
            throw new InvalidDataException(
                $"{source} records tokenizer version {recorded.Version}; this VecLm has version {CurrentVersion} (a newer VecLm made it?)");
        if (given is { Version: not CurrentVersion }) throw new ArgumentException($"tokenizer version {given.Version} given");
        if (given is null)
            return new(recorded, recorded is null ? null : $"tokenising the text as {source} records: {recorded.Flags}");
        if (recorded == given) return new(recorded, null);
        if (recorded is null && !resume)
            return new(given, $"{source} records no tokenizer (its text was split on white space): {given.Flags} applies to this text");
        string keep = recorded is null ? "" : $" ({recorded.Flags} applies by itself)";
        throw new BadInputException((resume ? "--resume: " : "") + $"{source} records {Describe(recorded)}, not {given.Flags}: " +
                                    $"its text is read as recorded; drop {given.Flags}{keep}" + (resume ? ", or start again with --force" : ""));
    }
}

/// <summary>The tokenizer a command reads its text with (null: split on white space), and a line saying why, or null.</summary>
public sealed record TokenizerChoice(TokenizerOptions? Tokenizer, string? Note);
