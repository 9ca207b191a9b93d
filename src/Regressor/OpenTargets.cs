using VecLm.Embeddings;

namespace VecLm.Regressor;

/// <summary>
/// The regression targets of a model trained with a decode vocabulary (<c>train --decode-vocab</c>): the training
/// vocabulary's rows, then one row for every word of the decode vocabulary the training vocabulary lacks, each
/// post-processed as the training targets are. A word of the training text under <c>--min-count</c> is then a target
/// of its own — its vector (from the subword model, or the larger vectors file) — instead of <c>&lt;unk&gt;</c>, so the
/// model learns to point at rare words, and through their vectors' subwords at words it never saw. The inputs stay
/// the training vocabulary's (a rare word still reads as <c>&lt;unk&gt;</c>), and validation and the decoding fits stay
/// on the training vocabulary: its ids are the first rows here, in the same order.
/// </summary>
public sealed class OpenTargets : IDisposable
{
    private OpenTargets(TargetVectors all, int[] trainTargets, long[] counts, int trainingWords)
    {
        All = all;
        TrainTargets = trainTargets;
        Counts = counts;
        TrainingWords = trainingWords;
    }

    /// <summary>[|V| + extra, m]: the training vocabulary's target rows, then the decode-only words' rows.</summary>
    public TargetVectors All { get; }
    /// <summary>The training text as target ids over <see cref="All"/> (one per token, and <c>&lt;/s&gt;</c> per line).</summary>
    public int[] TrainTargets { get; }
    /// <summary>How often each row of <see cref="All"/> is a training target.</summary>
    public long[] Counts { get; }
    /// <summary>Rows of the training vocabulary (the first rows of <see cref="All"/>).</summary>
    public int TrainingWords { get; }
    /// <summary>Training tokens that became a target of their own rather than <c>&lt;unk&gt;</c>.</summary>
    public long RareTokens { get; private init; }

    /// <summary>
    /// Whether a loss trains on open targets: cosine, L2 and sampled look up target rows; max-margin and vMF pass over
    /// every row each step (hundreds of thousands with a word list), so they train on the training vocabulary.
    /// </summary>
    public static bool TrainsOn(LossKind loss) => loss is LossKind.Cosine or LossKind.L2 or LossKind.Sampled;

    /// <summary>
    /// The targets for <paramref name="trainPath"/> (read with <paramref name="tokenizer"/>, as the model reads it):
    /// <paramref name="vectors"/> (the training vocabulary) and the words
    /// of <paramref name="decode"/> it lacks, all through <paramref name="processor"/>.
    /// </summary>
    public static OpenTargets Build(WordVectors vectors, DecodeVocabulary decode, PostProcessor processor, string trainPath,
                                    TokenizerOptions? tokenizer = null)
    {
        var model = vectors.Vocabulary;
        var extra = Enumerable.Range(0, decode.Count)
            .Where(i => decode.ModelIds[i] < 0 && decode[i] is not (Vocabulary.Unknown or Vocabulary.EndOfSentence))
            .ToArray();
        int dim = vectors.Dim;
        if (decode.Vectors.Dim != dim)
            throw new BadInputException($"the decode vocabulary's vectors have {decode.Vectors.Dim} dimensions, the model's {dim}");
        // One matrix: the training vectors, then the decode-only words', post-processed row by row in place.
        var rows = new float[((long)model.Count + extra.Length) * dim];
        vectors.Data.AsSpan(0, model.Count * dim).CopyTo(rows);
        for (int i = 0; i < extra.Length; i++)
            decode.Vectors[extra[i]].CopyTo(rows.AsSpan((model.Count + i) * dim, dim));
        for (long r = 0; r < rows.Length / dim; r++) processor.ApplyInPlace(rows.AsSpan((int)(r * dim), dim));
        var all = TargetVectors.FromRows(rows, dim, processor);
        var words = model.Words.Concat(extra.Select(i => decode[i])).ToList();
        var vocabulary = new Vocabulary(words, new long[words.Count]);
        var ids = TokenBatches.Tokenize(trainPath, vocabulary, tokenizer);
        var counts = new long[words.Count];
        long rare = 0;
        foreach (int id in ids)
        {
            counts[id]++;
            if (id >= model.Count) rare++;
        }
        return new OpenTargets(all, ids, counts, model.Count) { RareTokens = rare };
    }

    public void Dispose() => All.Dispose();
}
