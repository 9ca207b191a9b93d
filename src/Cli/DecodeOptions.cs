using System.CommandLine;
using VecLm.Decoder;

namespace VecLm.Cli;

/// <summary>
/// <c>--decode cosine|prior|csls</c> and <c>--beta β</c>, shared by the commands that decode a regression head's
/// outputs (eval, compare, predict, generate). Unset, a model decodes with its default: the prior with the β fitted
/// after training, or plain cosine when it was trained without --valid.
/// </summary>
public sealed class DecodeOptions
{
    public Option<string?> Rule { get; } = new("--decode")
    {
        Description = "Decoding rule for regression heads: cosine, prior (cosine + β·ln p(w)) or csls [default: prior if the model has a fitted β, else cosine].",
    };

    public Option<double?> Beta { get; } = new("--beta")
    {
        Description = "β of the prior rule, instead of the one fitted on validation text (implies --decode prior unless given).",
    };

    public DecodeOptions() => Rule.AcceptOnlyFromAmong("cosine", "prior", "csls");

    public void AddTo(Command command)
    {
        command.Options.Add(Rule);
        command.Options.Add(Beta);
    }

    public (RuleKind? Kind, double? Beta) Read(ParseResult parse)
    {
        double? beta = parse.GetValue(Beta);
        if (beta is { } b && !(b >= 0 && double.IsFinite(b))) throw new UsageException($"--beta must be a number ≥ 0 (got {b})");
        RuleKind? kind = parse.GetValue(Rule) switch
        {
            "cosine" => RuleKind.Cosine,
            "prior" => RuleKind.Prior,
            "csls" => RuleKind.Csls,
            _ => null,
        };
        if (beta is not null && kind is RuleKind.Cosine or RuleKind.Csls)
            throw new UsageException($"--beta goes with the prior rule, not --decode {parse.GetValue(Rule)}");
        return (kind, beta);
    }
}
