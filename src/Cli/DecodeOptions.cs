using System.CommandLine;
using VecLm.Decoder;
using VecLm.Embeddings;
using VecLm.Evaluation;
using VecLm.Regressor;

namespace VecLm.Cli;

/// <summary>How a regression head's outputs are decoded: the rule, β, and a decode vocabulary with its vectors and boost.</summary>
public sealed record DecodeChoice(RuleKind? Kind, double? Beta, string? Vocabulary, string? Vectors, double? UnseenBoost);

/// <summary>
/// <c>--decode cosine|prior|posterior|csls</c>, <c>--beta β</c> and <c>--decode-vocab FILE</c> (with
/// <c>--decode-vectors</c> and <c>--unseen-boost</c>), shared by the commands that decode a regression
/// head's outputs (eval, compare, predict, generate). Unset, a model decodes with its default: the prior or the
/// posterior (whichever did better on validation) with the β fitted after training, or plain cosine when it was
/// trained without --valid.
/// </summary>
public sealed class DecodeOptions
{
    public Option<string?> Rule { get; } = new("--decode")
    {
        Description = "Decoding rule for regression heads: cosine, prior (cosine + β·ln p(w)), posterior (ŷ·e(w) + β·ln p(w): the prediction's length counts) or csls [default: the better of prior and posterior on validation if the model has a fitted β, else cosine].",
    };

    public Option<double?> Beta { get; } = new("--beta")
    {
        Description = "β of the prior or posterior rule, instead of the one fitted on validation text (implies the model's default of the two unless --decode is given).",
    };

    public Option<FileInfo?> Vocabulary { get; } = new("--decode-vocab")
    {
        Description = "Decode regression heads to these words (one per line) instead of the training vocabulary; words the model never saw get vectors from the subword model (a fastText .bin) or --decode-vectors.",
    };

    public Option<FileInfo?> Vectors { get; } = new("--decode-vectors")
    {
        Description = "With --decode-vocab (or a model trained with one): where its words' vectors come from (a fastText .bin gives any word one; a word2vec or GloVe file or a Spark folder, the words it has) [default: the model's own vectors file].",
    };

    public Option<double?> UnseenBoost { get; } = new("--unseen-boost")
    {
        Description = "With --decode-vocab (or a model trained with one): raises the prior of the words the model never had by this many nats (they share <unk>'s probability) [default: eval and compare fit it on the model's validation text and print it; predict and generate 0].",
    };

    public DecodeOptions() => Rule.AcceptOnlyFromAmong("cosine", "prior", "posterior", "csls");

    /// <summary>
    /// <c>--decoder auto|exact|hnsw</c>: how regression outputs are searched among the words. <paramref name="auto"/>
    /// says what auto does for the command (<see cref="DecoderChoice"/>: exact search below 30,000 words).
    /// </summary>
    public static Option<string> Decoder(string auto)
    {
        var option = new Option<string>("--decoder")
        {
            Description = $"How regression outputs are searched among the words: auto ({auto}), hnsw (built once and kept when the model has no index) or exact.",
            DefaultValueFactory = _ => "auto",
        };
        option.AcceptOnlyFromAmong("auto", "hnsw", "exact");
        return option;
    }

    /// <summary>What <see cref="Decoder"/> asks for: exact (true), HNSW (false) or the command's auto (null).</summary>
    public static bool? ExactOf(ParseResult parse, Option<string> decoder) =>
        parse.GetValue(decoder) switch { "exact" => true, "hnsw" => false, _ => null };

    /// <summary>For predict and generate: sets how <paramref name="model"/> searches, and says so when an index is built first.</summary>
    public static void ApplyDecoder(TrainedModel model, bool? exact)
    {
        if (!model.Config.IsRegression) return;
        model.ExactDecoding = exact;
        if (model.UsesHnsw && !model.HnswIsBuilt)
            Console.Error.WriteLine($"building the HNSW index over {model.DecodeCount:N0} words on every core (once: it is kept for the next run)");
    }

    public void AddTo(Command command)
    {
        command.Options.Add(Rule);
        command.Options.Add(Beta);
        command.Options.Add(Vocabulary);
        command.Options.Add(Vectors);
        command.Options.Add(UnseenBoost);
    }

    /// <summary>Sets <paramref name="model"/>'s decode vocabulary (a regression head, when one is given) and rule.</summary>
    public static void Apply(TrainedModel model, DecodeChoice choice)
    {
        if (!model.Config.IsRegression) return;
        if (choice.Vocabulary is null && model.SavedDecodeVocabulary is null && (choice.Vectors ?? (object?)choice.UnseenBoost) is not null)
            throw new BadInputException(ModelEvaluator.NoDecodeVocabulary);
        if ((choice.Vocabulary ?? model.SavedDecodeVocabulary) is { } list)
            model.UseDecodeVocabulary(DecodeVocabulary.Load(list, choice.Vectors ?? model.VectorsPath, model.Vectors.Vocabulary),
                                      choice.UnseenBoost ?? 0);
        model.Rule = model.RuleFor(choice.Kind, choice.Beta);
    }

    public DecodeChoice Read(ParseResult parse)
    {
        double? beta = parse.GetValue(Beta);
        if (beta is { } b && !(b >= 0 && double.IsFinite(b))) throw new UsageException($"--beta must be a number ≥ 0 (got {b})");
        RuleKind? kind = parse.GetValue(Rule) switch
        {
            "cosine" => RuleKind.Cosine,
            "prior" => RuleKind.Prior,
            "posterior" => RuleKind.Posterior,
            "csls" => RuleKind.Csls,
            _ => null,
        };
        if (beta is not null && kind is RuleKind.Cosine or RuleKind.Csls)
            throw new UsageException($"--beta goes with the prior or posterior rule, not --decode {parse.GetValue(Rule)}");
        var list = parse.GetValue(Vocabulary)?.FullName;
        var vectors = parse.GetValue(Vectors)?.FullName;
        double? boost = parse.GetValue(UnseenBoost);
        if (boost is { } g && !double.IsFinite(g)) throw new UsageException($"--unseen-boost must be a number (got {g})");
        if (list is not null && kind == RuleKind.Csls)
            throw new UsageException("--decode csls cannot go with --decode-vocab (the hubness was measured on the training words)");
        return new DecodeChoice(kind, beta, list, vectors, boost);
    }
}
