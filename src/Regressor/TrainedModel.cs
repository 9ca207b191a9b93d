using VecLm.Decoder;
using VecLm.Embeddings;
using static TorchSharp.torch;

namespace VecLm.Regressor;

/// <summary>
/// A trained model ready for use: loaded from its folder with the vectors it was trained with (checked by the
/// vocabulary hash), in eval mode. Predicts, after every position of a token sequence, the head's output and the
/// next words: a regression head's output decoded by its <see cref="Rule"/> (by default the prior rule with the β
/// fitted after training, else plain cosine) over the post-processed target vectors; softmax: the probabilities.
/// </summary>
public sealed class TrainedModel : IDisposable
{
    private readonly RnnModel model;
    private readonly Checkpoint checkpoint;
    private readonly TargetVectors? targets;
    private IVectorIndex? hnsw;
    private DecodingRule? rule;
    private RuleDecoder? ruleDecoder;
    private DecodeVocabulary? decodeVocabulary;
    private TargetVectors? decodeTargets;
    private DecodingState? decodeState;

    private TrainedModel(ModelConfig config, RnnModel model, WordVectors vectors, Checkpoint checkpoint, TargetVectors? targets)
    {
        Config = config;
        this.model = model;
        this.checkpoint = checkpoint;
        Vectors = vectors;
        this.targets = targets;
        if (targets is null) return;
        savedDecoding = File.Exists(checkpoint.DecodingPath) ? DecodingState.Load(checkpoint.DecodingPath, config.VocabSize) : null;
    }

    public ModelConfig Config { get; }
    public WordVectors Vectors { get; }
    /// <summary>The file <see cref="Vectors"/> were read from.</summary>
    public string VectorsPath { get; private init; } = "";
    /// <summary>
    /// How this model reads text — test text, prompts (<see cref="Generation.Generator.Encode"/>): the tokenizer its
    /// config.json records, or the one given to <see cref="Load"/> for a model that records none; null: split on white space.
    /// </summary>
    public TokenizerOptions? Tokenizer { get; private init; }
    /// <summary>The post-processed target vectors a regression head is decoded against (null for softmax).</summary>
    public TargetVectors? Targets => targets;
    /// <summary>Exact search over the vectors outputs are decoded against (null for softmax): the targets, or the decode vocabulary's.</summary>
    public ExactIndex? ExactTargets => (decodeTargets ?? targets)?.Index;
    /// <summary>
    /// The HNSW index over the vectors outputs are decoded against: targets.hnsw from the model folder, or for a decode
    /// vocabulary the index cached beside its word list (keyed by its words and vectors), or built on first use.
    /// </summary>
    public IVectorIndex HnswTargets => hnsw ??= decodeTargets is not null
        ? DecodeIndex(decodeVocabulary!, decodeTargets)
        : checkpoint.LoadTargetIndex(targets ?? throw new InvalidOperationException("a softmax model has no target vectors"));
    /// <summary>
    /// Unigram counts, fitted β and CSLS hubness (decoding.json), with a decode vocabulary's priors once one is in
    /// use; null for softmax or an older folder.
    /// </summary>
    public DecodingState? Decoding => decodeState ?? savedDecoding;
    private DecodingState? savedDecoding;

    /// <summary>
    /// The words an HNSW decode under <paramref name="rule"/> scores exactly and starts from, besides the words of
    /// largest bias (<see cref="RuleDecoder"/>): the shortlist of words the validation predictions decoded to
    /// (<see cref="DecodingState.Shortlist"/>); without one, the most frequent words (<see cref="FrequentWords"/>) for a
    /// rule whose bias is not already the frequency (cosine, CSLS). Null: none.
    /// </summary>
    public int[]? KnownWordsFor(DecodingRule rule) =>
        Decoding?.Shortlist ?? (rule.Kind is RuleKind.Prior or RuleKind.Posterior ? null : FrequentWords);

    /// <summary>
    /// The <see cref="RuleDecoder.DefaultBiasCandidates"/> most frequent words outputs are decoded to (by the decoding
    /// state's prior, the decode vocabulary's when one is in use), most frequent first, ties by smaller id. Null without
    /// a decoding state.
    /// </summary>
    public int[]? FrequentWords
    {
        get
        {
            if (Decoding is not { } state) return null;
            if (frequentWords is { } known && known.State == state) return known.Ids;
            var logP = state.LogPriors ?? DecodingRule.LogProbabilities(state.Counts);
            var ids = Enumerable.Range(0, logP.Length).OrderByDescending(i => logP[i]).ThenBy(i => i)
                .Take(RuleDecoder.DefaultBiasCandidates).ToArray();
            frequentWords = (state, ids);
            return ids;
        }
    }
    private (DecodingState State, int[] Ids)? frequentWords;
    /// <summary>The decode vocabulary saved in the model folder by <c>train --decode-vocab</c>, or null.</summary>
    public string? SavedDecodeVocabulary => targets is not null && File.Exists(checkpoint.DecodeVocabPath) ? checkpoint.DecodeVocabPath : null;
    /// <summary>The decode vocabulary in use (<see cref="UseDecodeVocabulary"/>), or null: the training vocabulary.</summary>
    public DecodeVocabulary? DecodeVocabulary => decodeVocabulary;
    /// <summary>How many words outputs are decoded to.</summary>
    public int DecodeCount => decodeVocabulary?.Count ?? Config.VocabSize;
    /// <summary>The network itself, for <see cref="StreamRunner"/> and <see cref="Generation.ModelSession"/>.</summary>
    internal RnnModel Network => model;
    /// <summary>Parameters the training updated (the frozen input embeddings are not counted).</summary>
    public long TrainedParameters => model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    /// <summary>
    /// The rule <see cref="Rank"/> and <see cref="PredictNext"/> decode a regression head's outputs with: the model's
    /// default (<see cref="RuleFor"/>) until set.
    /// </summary>
    public DecodingRule Rule
    {
        get => rule ??= RuleFor();
        set
        {
            if (targets is null) throw new InvalidOperationException("a softmax model has no decoding rule");
            rule = value;
            ruleDecoder = null;
        }
    }

    /// <summary>
    /// The decoding rule of kind <paramref name="kind"/> for this model (default: <see cref="DecodingState.DefaultRule"/>,
    /// cosine without a decoding state), <paramref name="beta"/> overriding the fitted β.
    /// </summary>
    public DecodingRule RuleFor(RuleKind? kind = null, double? beta = null)
    {
        if (targets is null) throw new InvalidOperationException("a softmax model has no decoding rule");
        if (Decoding is not null) return Decoding.Rule(kind, beta);
        if ((kind ?? (beta is null ? RuleKind.Cosine : RuleKind.Prior)) == RuleKind.Cosine) return DecodingRule.Cosine();
        throw new InvalidDataException($"the model folder {checkpoint.Dir} has no decoding.json (train it with --valid)");
    }

    /// <summary>
    /// Loads a model folder with <paramref name="vectorsPath"/>, or, when that is null, the vectors its config.json
    /// names (relative to the folder, else where they were at training). The vectors are checked against the model's
    /// vocabulary and the checksum of their values. <paramref name="tokenize"/> (<c>--tokenize</c>, null: not given)
    /// chooses the <see cref="Tokenizer"/> with the recorded one (<see cref="TokenizerFor"/>).
    /// </summary>
    public static TrainedModel Load(string dir, string? vectorsPath = null, TokenizerOptions? tokenize = null)
    {
        var checkpoint = new Checkpoint(dir);
        if (vectorsPath is null)
        {
            var saved = checkpoint.LoadConfig();
            vectorsPath = saved.FindVectors(checkpoint.Dir) ?? throw new FileNotFoundException(
                $"the model's vectors file is gone: {saved.VectorsFullPath ?? saved.VectorsPath} (pass --vectors)", saved.VectorsPath);
        }
        var vectors = WordVectors.Load(vectorsPath);
        var (config, model) = checkpoint.LoadModel(vectors, vectorsPath);
        var tokenizer = TokenizerOptions.Choose(config.Tokenizer, tokenize, $"the model {checkpoint.Dir}").Tokenizer;
        var targets = config.IsRegression ? checkpoint.LoadTargets(config, vectors) : null;
        return new TrainedModel(config, model, vectors, checkpoint, targets)
        {
            VectorsPath = Path.GetFullPath(vectorsPath), Tokenizer = tokenizer,
        };
    }

    /// <summary>
    /// The tokenizer the model in <paramref name="dir"/> reads text with when <paramref name="given"/> is asked for
    /// (null: nothing asked), and a line saying why (or null): the recorded one applies by itself, one given applies to a
    /// model that records none, a different one is a <see cref="BadInputException"/> (<see cref="TokenizerOptions.Choose"/>).
    /// Reads config.json only: a command calls it to say so, or fail, before loading.
    /// </summary>
    public static TokenizerChoice TokenizerFor(string dir, TokenizerOptions? given)
    {
        var checkpoint = new Checkpoint(dir);
        return TokenizerOptions.Choose(checkpoint.LoadConfig().Tokenizer, given, $"the model {checkpoint.Dir}");
    }

    /// <summary>
    /// Decodes from now on to the words of <paramref name="vocabulary"/> (a regression model only): their vectors
    /// post-processed as the targets were, each word's prior from <see cref="DecodingState.ForDecodeVocabulary"/>
    /// (<paramref name="unseenBoost"/> raises the words the model never had). The network is untouched.
    /// </summary>
    public void UseDecodeVocabulary(DecodeVocabulary vocabulary, double unseenBoost = 0)
    {
        if (targets is null) throw new InvalidOperationException("a softmax model cannot decode to other words");
        decodeTargets?.Dispose();
        decodeVocabulary = vocabulary;
        decodeTargets = TargetVectors.Create(vocabulary.Vectors, targets.Processor);
        decodeState = savedDecoding?.ForDecodeVocabulary(vocabulary.ModelIds, Vectors.Vocabulary.UnknownId, unseenBoost);
        hnsw = null;
        rule = null;
        ruleDecoder = null;
    }

    /// <summary>The word a decoded id names (an id of the decode vocabulary when one is in use).</summary>
    public string WordOf(int decodedId) => decodeVocabulary is { } d ? d[decodedId] : Vectors.Vocabulary[decodedId];

    /// <summary>A decoded id as a training-vocabulary id (<c>&lt;unk&gt;</c> for a word the model never had).</summary>
    public int ModelIdOf(int decodedId) =>
        decodeVocabulary is { } d ? (d.ModelIds[decodedId] is var id and >= 0 ? id : Vectors.Vocabulary.UnknownId) : decodedId;

    private static string DecodeIndexPath(DecodeVocabulary vocabulary) => $"{vocabulary.Path}.{vocabulary.ContentHash()[..16]}.hnsw";

    private static IVectorIndex DecodeIndex(DecodeVocabulary vocabulary, TargetVectors targets)
    {
        var rows = targets.ToArray();
        string cache = DecodeIndexPath(vocabulary);
        if (File.Exists(cache))
        {
            try { return HnswIndex.Load(cache, rows, targets.Dim); }
            catch (InvalidDataException) { }
        }
        var index = HnswIndex.Build(rows, targets.Dim, new HnswOptions(Threads: Environment.ProcessorCount));
        try { index.Save(cache); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }   // a cache: decoding goes on without it
        return index;
    }

    /// <summary>The head applied to LSTM features: [.., H] → [.., out] (a regression head's vectors, or logits).</summary>
    public Tensor Head(Tensor features) => model.Head(features);

    /// <summary>The head's output after each of <paramref name="ids"/> (one stream): [T, out], row-major.</summary>
    public float[] Outputs(ReadOnlySpan<int> ids)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var input = tensor(ids.ToArray().Select(i => (long)i).ToArray(), ids.Length, 1);   // [T, 1]
        var (h, c) = model.InitHidden(1);
        var (output, _) = model.forward(input, (h, c));                                     // [T, 1, out]
        return output.reshape(ids.Length, Config.OutputSize).data<float>().ToArray();
    }

    /// <summary>
    /// The head's output after the last token of each of <paramref name="streams"/> (each read from a fresh state, as
    /// a <see cref="Generation.ModelSession"/> reads a prompt), computed as one batch: the streams are padded at their
    /// ends to the longest (the LSTM reads left to right, so padding after a stream's last token changes nothing
    /// before it) and the head reads each stream's own last position. Rows of <see cref="ModelConfig.OutputSize"/> values.
    /// </summary>
    public float[][] LastOutputs(IReadOnlyList<int[]> streams)
    {
        int batch = streams.Count;
        if (batch == 0) return [];
        int steps = streams.Max(s => s.Length);
        var tokens = new long[(long)steps * batch];   // [T, B]
        var last = new long[batch];
        for (int i = 0; i < batch; i++)
        {
            var ids = streams[i];
            CheckTokens(ids);
            for (int t = 0; t < ids.Length; t++) tokens[(long)t * batch + i] = ids[t];
            last[i] = (long)(ids.Length - 1) * batch + i;
        }
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (h, c) = model.InitHidden(batch);
        var (features, _) = model.Features(tensor(tokens, steps, batch), (h, c));          // [T, B, H]
        var ends = features.reshape(steps * batch, -1).index_select(0, tensor(last));      // [B, H]
        var outputs = model.Head(ends).data<float>().ToArray();                             // [B, out]
        int width = Config.OutputSize;
        return Enumerable.Range(0, batch).Select(i => outputs.AsSpan(i * width, width).ToArray()).ToArray();
    }

    /// <summary>Throws unless <paramref name="ids"/> holds at least one token and every one is a word of the model.</summary>
    internal void CheckTokens(ReadOnlySpan<int> ids)
    {
        if (ids.IsEmpty) throw new ArgumentException("nothing to feed: no token ids");
        foreach (int id in ids)
            if ((uint)id >= (uint)Config.VocabSize)
                throw new ArgumentOutOfRangeException(nameof(ids), $"token id {id} is outside the vocabulary (0..{Config.VocabSize - 1})");
    }

    /// <summary>The most likely next word after each position of <paramref name="ids"/>.</summary>
    public int[] PredictNext(ReadOnlySpan<int> ids)
    {
        var outputs = Outputs(ids);
        int width = Config.OutputSize;
        if (targets is not null) return Decode().DecodeBatch(outputs, 1).Select(n => n[0].Id).ToArray();
        var result = new int[ids.Length];
        for (int t = 0; t < ids.Length; t++)
        {
            var row = outputs.AsSpan(t * width, width);
            int best = 0;
            for (int j = 1; j < width; j++) if (row[j] > row[best]) best = j;
            result[t] = best;
        }
        return result;
    }

    /// <summary>
    /// The <paramref name="k"/> most likely next words given one head output row (best first): a regression head's
    /// output decoded by <see cref="Rule"/> (score: the rule's, with the cosine beside it), a softmax head's logits
    /// turned into probabilities (score: probability).
    /// </summary>
    public Neighbor[] Rank(ReadOnlySpan<float> output, int k)
    {
        if (output.Length != Config.OutputSize)
            throw new ArgumentException($"an output row has {Config.OutputSize} values, not {output.Length}");
        k = Math.Clamp(k, 1, targets is not null ? DecodeCount : Config.VocabSize);
        if (targets is not null)
            return Decode().Decode(output, k);
        var (max, sum) = Normalizer(output);
        var best = new PriorityQueue<int, float>();
        for (int i = 0; i < output.Length; i++)
        {
            if (best.Count < k) best.Enqueue(i, output[i]);
            else if (output[i] > output[best.Peek()]) best.EnqueueDequeue(i, output[i]);
        }
        var ranked = new Neighbor[best.Count];
        for (int r = ranked.Length - 1; r >= 0; r--)
        {
            int id = best.Dequeue();
            ranked[r] = new Neighbor(id, float.NaN, (float)(Math.Exp(output[id] - max) / sum));
        }
        return ranked;
    }

    /// <summary>
    /// Where <paramref name="decodedId"/> stands after one head output row: its rank among every word (1 + the words
    /// scored above it), scored exactly — a regression head under <paramref name="rule"/> (default <see cref="Rule"/>)
    /// with the word's cosine, a softmax head by its logit with the word's probability (<c>Value</c>).
    /// </summary>
    public (int Rank, double Value) RankOf(ReadOnlySpan<float> output, int decodedId, DecodingRule? rule = null)
    {
        if (output.Length != Config.OutputSize)
            throw new ArgumentException($"an output row has {Config.OutputSize} values, not {output.Length}");
        if (targets is not null)
        {
            var exact = ExactTargets!;
            rule ??= Rule;
            var scores = new float[exact.Count];
            exact.ScoreAll(output, scores, rule.Bias, rule.ByLength);
            return (1 + Above(scores, scores[decodedId]), VectorMath.Cosine(output, exact.Vector(decodedId)));
        }
        var (max, sum) = Normalizer(output);
        return (1 + Above(output, output[decodedId]), Math.Exp(output[decodedId] - max) / sum);
    }

    private static int Above(ReadOnlySpan<float> scores, float own)
    {
        int above = 0;
        foreach (float s in scores) if (s > own) above++;
        return above;
    }

    /// <summary>The softmax of logits as exp(z − max) / sum: their largest value and that sum.</summary>
    private static (float Max, double Sum) Normalizer(ReadOnlySpan<float> logits)
    {
        float max = float.NegativeInfinity;
        foreach (var v in logits) max = Math.Max(max, v);
        double sum = 0;
        foreach (var v in logits) sum += Math.Exp(v - max);
        return (max, sum);
    }

    /// <summary>
    /// How <see cref="Rank"/> and <see cref="PredictNext"/> search: exact (true), through <see cref="HnswTargets"/>
    /// (false), or, unset, through HNSW from <see cref="DecoderChoice.HnswFrom"/> words when the index is already built
    /// (a prompt costs 1.3 ms by exact search at a million words; building the index, minutes).
    /// </summary>
    public bool? ExactDecoding
    {
        get => exactDecoding;
        set
        {
            exactDecoding = value;
            ruleDecoder = null;
        }
    }
    private bool? exactDecoding;

    /// <summary>Whether <see cref="Rank"/> and <see cref="PredictNext"/> decode through HNSW (<see cref="ExactDecoding"/>).</summary>
    public bool UsesHnsw => targets is not null
        && (exactDecoding == false || (exactDecoding is null && !DecoderChoice.ExactIsFaster(DecodeCount) && HnswIsBuilt));

    /// <summary>Whether <see cref="HnswTargets"/> is loaded or kept on disk (else its first use builds it).</summary>
    public bool HnswIsBuilt => hnsw is not null
        || File.Exists(decodeVocabulary is { } d ? DecodeIndexPath(d) : checkpoint.TargetIndexPath);

    private RuleDecoder Decode() => ruleDecoder ??= DecoderFor(Rule);

    /// <summary>
    /// A decoder of this model's outputs under <paramref name="rule"/>, over the index <see cref="ExactDecoding"/> picks
    /// (thread-safe: a server keeps one per rule while <see cref="Rule"/> stays the model's default).
    /// </summary>
    public RuleDecoder DecoderFor(DecodingRule rule) =>
        new(UsesHnsw ? HnswTargets : ExactTargets ?? throw new InvalidOperationException("a softmax model has no decoder"), rule,
            knownWords: KnownWordsFor(rule));

    public void Dispose()
    {
        model.Dispose();
        targets?.Dispose();
        decodeTargets?.Dispose();
    }
}
