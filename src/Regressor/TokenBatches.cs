using VecLm.Embeddings;
using static TorchSharp.torch;

namespace VecLm.Regressor;

/// <summary>
/// The corpus as the language model sees it, as in pytorch/examples' word_language_model <c>data.py</c> and
/// <c>batchify</c>/<c>get_batch</c>: every token turned into its vocabulary id (unknown words → <c>&lt;unk&gt;</c>,
/// each line ended by <c>&lt;/s&gt;</c>), then cut into <c>batch</c> parallel streams, one per column of a
/// [rows, batch] tensor; a training chunk is <c>bptt</c> consecutive rows and its targets the rows one later.
/// The targets can be ids of another vocabulary, token for token (<see cref="OpenTargets"/>: a rare word's input is
/// <c>&lt;unk&gt;</c>, its target the word itself).
/// </summary>
public sealed class TokenBatches : IDisposable
{
    private readonly Tensor data;      // [Rows, Batch], int64
    private readonly Tensor? targets;  // the same layout, when the targets are other ids

    public TokenBatches(int[] ids, int batch, int bptt, string source, int[]? targetIds = null)
    {
        if (targetIds is not null && targetIds.Length != ids.Length)
            throw new ArgumentException($"{targetIds.Length} target ids for {ids.Length} tokens");
        if (batch <= 0) throw new BadInputException($"--batch must be positive (got {batch})");
        if (bptt <= 0) throw new BadInputException($"--bptt must be positive (got {bptt})");
        long rows = ids.Length / batch;
        if (rows < 2)
            throw new InvalidDataException(
                $"'{source}' has {ids.Length} tokens: too short for one batch of {batch} streams (need at least {2 * batch})");
        Batch = batch;
        Bptt = bptt;
        Rows = rows;
        data = Streams(ids, batch, rows);
        if (targetIds is not null) targets = Streams(targetIds, batch, rows);
    }

    /// <summary>Trims the tokens that do not fit; stream j is ids[j*rows .. (j+1)*rows): data.view(bsz, -1).t().</summary>
    private static Tensor Streams(int[] ids, int batch, long rows)
    {
        var trimmed = ids.AsSpan(0, (int)(rows * batch)).ToArray().Select(i => (long)i).ToArray();
        using var flat = tensor(trimmed, batch, rows);
        var streams = flat.t().contiguous();
        streams.DetachFromDisposeScope();
        return streams;
    }

    public int Batch { get; }
    public int Bptt { get; }
    public long Rows { get; }
    /// <summary>Chunks of (up to) <see cref="Bptt"/> rows in one pass over the data.</summary>
    public int Chunks => (int)((Rows - 1 + Bptt - 1) / Bptt);
    /// <summary>Target tokens in one pass: (Rows − 1) × Batch.</summary>
    public long Tokens => (Rows - 1) * Batch;

    /// <summary>Chunk <paramref name="index"/>: inputs [T, B] and targets [T, B], T ≤ bptt.</summary>
    public (Tensor Input, Tensor Target) Chunk(int index)
    {
        long start = (long)index * Bptt;
        long length = Math.Min(Bptt, Rows - 1 - start);
        return (data.narrow(0, start, length), (targets ?? data).narrow(0, start + 1, length));
    }

    /// <summary>
    /// Reads a corpus file into ids: tokens (split on white space, or by <paramref name="tokenizer"/>) looked up in
    /// <paramref name="vocabulary"/>, <c>&lt;/s&gt;</c> after each line.
    /// </summary>
    public static int[] Tokenize(string path, Vocabulary vocabulary, TokenizerOptions? tokenizer = null)
    {
        var corpus = new Corpus(path, tokenizer);
        if (corpus.Length == 0) throw new InvalidDataException($"the corpus '{path}' is empty");
        int eos = vocabulary.EndOfSentenceId, unk = vocabulary.UnknownId;
        if (eos < 0) throw new InvalidDataException($"the vectors have no '{Vocabulary.EndOfSentence}' entry");
        var ids = new List<int>();
        string? missing = null;
        foreach (var line in corpus.Lines())
        {
            var span = line.Span;
            foreach (var range in Corpus.Tokens(span))
            {
                int id = vocabulary.IdOrUnknown(span[range]);
                if (id < 0) { missing ??= span[range].ToString(); continue; }
                ids.Add(id);
            }
            ids.Add(eos);
        }
        if (missing is not null && unk < 0)
            throw new InvalidDataException(
                $"'{path}' has words the vectors lack (e.g. '{missing}') and the vectors have no '{Vocabulary.Unknown}' entry");
        if (ids.Count == 0) throw new InvalidDataException($"the corpus '{path}' has no tokens");
        return ids.ToArray();
    }

    public void Dispose()
    {
        data.Dispose();
        targets?.Dispose();
    }
}
