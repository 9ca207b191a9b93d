using System.CommandLine;
using VecLm.Decoder;

namespace VecLm.Cli;

/// <summary>
/// <c>--decode cosine|prior|posterior|csls</c> and <c>--beta β</c>, shared by the commands that decode a regression
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

    public DecodeOptions() => Rule.AcceptOnlyFromAmong("cosine", "prior", "posterior", "csls");

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
            "posterior" => RuleKind.Posterior,
            "csls" => RuleKind.Csls,
            _ => null,
        };
        if (beta is not null && kind is RuleKind.Cosine or RuleKind.Csls)
            throw new UsageException($"--beta goes with the prior or posterior rule, not --decode {parse.GetValue(Rule)}");
        return (kind, beta);
    }
}
