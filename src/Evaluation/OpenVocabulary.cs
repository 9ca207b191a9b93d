using System.Text.Json.Serialization;
using VecLm.Embeddings;

namespace VecLm.Evaluation;

/// <summary>
/// Open-vocabulary scoring: every test position is scored against the true word's own string, not its id in a
/// model's vocabulary, so nobody gets credit for <c>&lt;unk&gt;</c> (a model whose guess is <c>&lt;unk&gt;</c>
/// misses, whatever the true word). Positions fall in bands by the true word's count in the training text:
/// <c>seen3+</c>, <c>seen1-2</c>, <c>unseen</c> (never in the training text, but a word the model can decode) and
/// <c>none</c> (in no vocabulary: no model can name it).
/// </summary>
public sealed class OpenVocabulary
{
    public static readonly string[] Bands = ["seen3+", "seen1-2", "unseen", "none"];

    private readonly Dictionary<string, long> _trainCounts;
    private readonly HashSet<string> _decodable;

    private OpenVocabulary(Dictionary<string, long> trainCounts, HashSet<string> decodable)
    {
        _trainCounts = trainCounts;
        _decodable = decodable;
    }

    /// <summary>
    /// The counts of every token of <paramref name="trainPath"/> (no minimum count; split on white space or by
    /// <paramref name="tokenizer"/>) and the words some model can decode (<paramref name="decodable"/>: the models'
    /// output vocabularies, <c>&lt;unk&gt;</c> left out).
    /// </summary>
    public static OpenVocabulary Load(string trainPath, IEnumerable<string> decodable, TokenizerOptions? tokenizer = null)
    {
        var corpus = new Corpus(trainPath, tokenizer);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var line in corpus.Lines())
            foreach (var range in Corpus.Tokens(line.Span))
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(lookup, line.Span[range], out _)++;
        var words = new HashSet<string>(decodable, StringComparer.Ordinal);
        words.Remove(Vocabulary.Unknown);
        return new OpenVocabulary(counts, words);
    }

    /// <summary>The test text's tokens as strings, a <c>&lt;/s&gt;</c> after each line (the positions of <c>TokenBatches.Tokenize</c>).</summary>
    public static string[] Surface(string testPath, TokenizerOptions? tokenizer = null)
    {
        var tokens = new List<string>();
        foreach (var line in new Corpus(testPath, tokenizer).Lines())
        {
            foreach (var range in Corpus.Tokens(line.Span)) tokens.Add(line.Span[range].ToString());
            tokens.Add(Vocabulary.EndOfSentence);
        }
        return tokens.ToArray();
    }

    /// <summary>The band of a true word: an index into <see cref="Bands"/>.</summary>
    public int BandOf(string word)
    {
        if (word == Vocabulary.EndOfSentence) return 0;
        long count = _trainCounts.GetValueOrDefault(word);
        return count >= 3 ? 0 : count >= 1 ? 1 : _decodable.Contains(word) ? 2 : 3;
    }

    public long TrainCount(string word) => _trainCounts.GetValueOrDefault(word);

    /// <summary>A fresh tally for one model.</summary>
    public Tally NewTally() => new(this);

    /// <summary>Strict top-1 and top-5 of one model, overall and by band.</summary>
    public sealed class Tally(OpenVocabulary open)
    {
        private readonly long[] _tokens = new long[Bands.Length], _top1 = new long[Bands.Length], _top5 = new long[Bands.Length];

        /// <summary>One position: the true word and the model's guesses, best first (<c>&lt;unk&gt;</c> never matches).</summary>
        public void Add(string truth, IEnumerable<string> ranked)
        {
            int band = open.BandOf(truth);
            _tokens[band]++;
            int rank = 0;
            foreach (var guess in ranked)
            {
                if (rank == 5) break;
                if (guess == truth && guess != Vocabulary.Unknown)
                {
                    if (rank == 0) _top1[band]++;
                    _top5[band]++;
                    break;
                }
                rank++;
            }
        }

        public OpenVocabResult Result()
        {
            long tokens = _tokens.Sum();
            return new OpenVocabResult(tokens, Ratio(_top1.Sum(), tokens), Ratio(_top5.Sum(), tokens),
                Bands.Select((name, b) => (name, b)).ToDictionary(x => x.name,
                    x => new OpenBand(_tokens[x.b], Ratio(_top1[x.b], _tokens[x.b]), Ratio(_top5[x.b], _tokens[x.b]))));
        }

        private static double Ratio(long a, long b) => b == 0 ? 0 : (double)a / b;
    }
}

/// <summary>Open-vocabulary accuracy of one model: strict top-1 and top-5 (no <c>&lt;unk&gt;</c> credit), by band.</summary>
public sealed record OpenVocabResult(
    [property: JsonPropertyName("tokens")] long Tokens,
    [property: JsonPropertyName("top1")] double Top1,
    [property: JsonPropertyName("top5")] double Top5,
    [property: JsonPropertyName("bands")] IReadOnlyDictionary<string, OpenBand> Bands);

public sealed record OpenBand(
    [property: JsonPropertyName("tokens")] long Tokens,
    [property: JsonPropertyName("top1")] double Top1,
    [property: JsonPropertyName("top5")] double Top5);
