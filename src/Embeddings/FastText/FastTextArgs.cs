namespace VecLm.Embeddings.FastText;

/// <summary>
/// The settings a fastText <c>.bin</c> carries in its header, with fastText's codes: loss (hs 1, ns 2, softmax 3,
/// ova 4) and model (cbow 1, sg 2, sup 3). <see cref="Bucket"/>, <see cref="MinN"/> and <see cref="MaxN"/> decide
/// how a word's n-grams map to rows: read them from the file, never assume them (Facebook's <c>cc.*.300.bin</c> use
/// CBOW with minn = maxn = 5).
/// </summary>
public sealed record FastTextArgs
{
    public const int LossHierarchicalSoftmax = 1, LossNegativeSampling = 2, LossSoftmax = 3, LossOneVsAll = 4;
    public const int ModelCbow = 1, ModelSkipGram = 2, ModelSupervised = 3;

    public int Dim { get; init; } = 100;
    public int Ws { get; init; } = 5;
    public int Epoch { get; init; } = 5;
    public int MinCount { get; init; } = 5;
    public int Neg { get; init; } = 5;
    public int WordNgrams { get; init; } = 1;
    public int Loss { get; init; } = LossNegativeSampling;
    public int Model { get; init; } = ModelSkipGram;
    public int Bucket { get; init; } = 2_000_000;
    public int MinN { get; init; } = 3;
    public int MaxN { get; init; } = 6;
    public int LrUpdateRate { get; init; } = 100;
    public double T { get; init; } = 1e-4;

    public string ModelName => Model switch
    {
        ModelCbow => "cbow",
        ModelSkipGram => "skipgram",
        ModelSupervised => "supervised",
        _ => $"model {Model}",
    };

    /// <summary>The n-gram mapping these settings give (none when maxn is 0, as fastText).</summary>
    public Subwords Subwords() => new(MinN, MaxN, MaxN > 0 ? Bucket : 0);

    /// <summary>The settings of a VecLm subword training, in fastText's terms.</summary>
    public static FastTextArgs From(Word2VecOptions options, SubwordOptions subwords) => new()
    {
        Dim = options.Dim,
        Ws = options.Window,
        Epoch = options.Epochs,
        MinCount = options.MinCount,
        Neg = options.Negative,
        Loss = LossNegativeSampling,
        Model = options.Cbow ? ModelCbow : ModelSkipGram,
        Bucket = subwords.Buckets,
        MinN = subwords.MinN,
        MaxN = subwords.MaxN,
        T = options.Sample,
    };
}

/// <summary>The n-gram settings of <c>veclm embed --subword</c> (fastText's defaults).</summary>
public sealed record SubwordOptions
{
    public int MinN { get; init; } = 3;
    public int MaxN { get; init; } = 6;
    public int Buckets { get; init; } = 2_000_000;

    public SubwordOptions Validate()
    {
        if (MinN < 1) throw new BadInputException($"--minn must be at least 1 (got {MinN})");
        if (MaxN < MinN) throw new BadInputException($"--minn ({MinN}) must not be greater than --maxn ({MaxN})");
        if (MaxN > 100) throw new BadInputException($"--maxn must be at most 100 (got {MaxN})");
        if (Buckets is < 1 or > 100_000_000) throw new BadInputException($"--buckets must be between 1 and 100000000 (got {Buckets})");
        return this;
    }
}
