using VecLm.Decoder;
using System.Text;
using VecLm.Embeddings;

namespace VecLm.Regressor.Generation;

/// <summary>
/// A prompt as the model reads it: <c>&lt;/s&gt;</c> first (a sentence starts, as after every line in training), then
/// the prompt's tokens. <see cref="Unknown"/> lists the words the vocabulary lacks (distinct, in order): read as
/// <c>&lt;unk&gt;</c>, or left out when the vocabulary has no <c>&lt;unk&gt;</c> (<see cref="UnknownLeftOut"/>).
/// </summary>
public sealed record Prompt(IReadOnlyList<string> Words, int[] Ids, IReadOnlyList<string> Unknown, bool UnknownLeftOut = false);

/// <summary>
/// Next-word prediction and text generation with a trained model. Predictions come from
/// <see cref="TrainedModel.Rank"/> (a regression head's output decoded by its rule, scored by cosine plus the rule's
/// bias; a softmax head's probabilities). Generation feeds the prompt through a <see cref="ModelSession"/>, then repeatedly
/// ranks the candidates, lets a <see cref="Sampler"/> pick one and feeds it back: softmax heads sample from the
/// whole vocabulary (logits = log probability), regression heads among the <see cref="RegressionCandidates"/>
/// decoded neighbours (logits = the rule's score).
/// </summary>
public sealed class Generator(TrainedModel model)
{
    private readonly Tokenizer? tokenizer = model.Tokenizer is { } options ? new Tokenizer(options) : null;

    /// <summary>Decoded neighbours a regression head samples among.</summary>
    public const int RegressionCandidates = 50;

    public TrainedModel Model => model;
    public Vocabulary Vocabulary => model.Vectors.Vocabulary;
    /// <summary>What <see cref="Neighbor.Score"/> is for this model: the decoding rule's score, or <c>probability</c>.</summary>
    public string ScoreName => model.Config.IsRegression ? $"score ({model.Rule.Name})" : "probability";

    /// <summary>
    /// Tokenises <paramref name="text"/> as the model reads text (<see cref="TrainedModel.Tokenizer"/>: the tokenizer it
    /// was trained with, else on white space): unknown words become <c>&lt;unk&gt;</c> (or are left out if the
    /// vocabulary has none). A prompt that is empty or has no word the model knows is a <see cref="BadInputException"/>.
    /// </summary>
    public Prompt Encode(string text)
    {
        var words = tokenizer?.Split(text) ?? text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) throw new BadInputException("the prompt is empty: give a few words");
        var vocabulary = Vocabulary;
        int eos = vocabulary.EndOfSentenceId;
        if (eos < 0) throw new InvalidDataException($"the model's vectors have no '{Vocabulary.EndOfSentence}' entry");
        var unknown = words.Where(w => !vocabulary.Contains(w)).Distinct(StringComparer.Ordinal).ToList();
        if (unknown.Count == words.Distinct(StringComparer.Ordinal).Count())
            throw new BadInputException($"the prompt has no word the model knows ({Quoted(unknown)})");
        int unk = vocabulary.UnknownId;
        int[] ids = [eos, .. words.Select(w => vocabulary.IdOrUnknown(w)).Where(id => id >= 0)];
        return new Prompt(words, ids, unknown, UnknownLeftOut: unknown.Count > 0 && unk < 0);
    }

    /// <summary>The <paramref name="k"/> most likely words after <paramref name="ids"/> (read from a fresh state), best first.</summary>
    public Neighbor[] Predict(ReadOnlySpan<int> ids, int k)
    {
        if (k < 1) throw new BadInputException($"-k must be at least 1 (got {k})");
        using var session = new ModelSession(model);
        return model.Rank(session.Feed(ids), k);
    }

    /// <summary>
    /// Continues <paramref name="ids"/> (read from a fresh state) with <paramref name="count"/> tokens chosen by
    /// <paramref name="sampler"/>; <paramref name="onToken"/> sees each one as it is chosen.
    /// </summary>
    public int[] Generate(ReadOnlySpan<int> ids, int count, Sampler sampler, Action<int>? onToken = null)
    {
        if (count < 0) throw new BadInputException($"-n must be 0 or more (got {count})");
        // Greedy softmax needs the top word only; otherwise every word (softmax) or the decoded neighbours.
        int k = model.Config.IsRegression ? RegressionCandidates : sampler.Greedy ? 1 : model.Config.VocabSize;
        var generated = new int[count];
        var logits = new double[k];
        using var session = new ModelSession(model);
        var output = session.Feed(ids);
        for (int t = 0; t < count; t++)
        {
            var ranked = model.Rank(output, k);
            for (int i = 0; i < ranked.Length; i++)
                logits[i] = model.Config.IsRegression ? ranked[i].Score : Math.Log(ranked[i].Score);
            int next = ranked[sampler.Next(logits.AsSpan(0, ranked.Length))].Id;
            generated[t] = next;
            onToken?.Invoke(next);
            if (t + 1 < count) output = session.Feed([model.ModelIdOf(next)]);   // a decode-vocabulary word the model lacks reads as <unk>
        }
        return generated;
    }

    /// <summary>The words of decoded ids (<see cref="TrainedModel.WordOf"/>: a decode vocabulary's when one is in use).</summary>
    public IEnumerable<string> Words(IEnumerable<int> ids) => ids.Select(model.WordOf);

    /// <summary>Tokens as text: separated by spaces, <c>&lt;/s&gt;</c> as a line break.</summary>
    public static string Text(IEnumerable<string> tokens)
    {
        var text = new StringBuilder();
        bool lineStart = true;
        foreach (var token in tokens)
        {
            if (token == Vocabulary.EndOfSentence)
            {
                text.Append('\n');
                lineStart = true;
                continue;
            }
            if (!lineStart) text.Append(' ');
            text.Append(token);
            lineStart = false;
        }
        return text.ToString();
    }

    private static string Quoted(IEnumerable<string> words) => string.Join(", ", words.Select(w => $"'{w}'"));
}
