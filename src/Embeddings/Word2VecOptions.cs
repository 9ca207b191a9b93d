namespace VecLm.Embeddings;

/// <summary>The word2vec settings, named and defaulted as word2vec C's flags (but <see cref="MinCount"/> and threads).</summary>
public sealed record Word2VecOptions
{
    public int Dim { get; init; } = 64;
    public int Window { get; init; } = 5;
    public int Negative { get; init; } = 5;
    public int MinCount { get; init; } = 5;
    /// <summary>Frequent-word subsampling threshold; 0 turns subsampling off.</summary>
    public double Sample { get; init; } = 1e-3;
    public int Epochs { get; init; } = 5;
    /// <summary>Starting learning rate; null means word2vec C's default: 0.025 for skip-gram, 0.05 for CBOW.</summary>
    public double? Alpha { get; init; }
    public int Threads { get; init; } = Environment.ProcessorCount;
    public bool Cbow { get; init; }
    public ulong Seed { get; init; } = 1;
    /// <summary>How the corpus is tokenised (<c>--tokenize</c>), recorded with the vectors; null: pre-tokenised, split on white space.</summary>
    public TokenizerOptions? Tokenizer { get; init; }

    public double StartingAlpha => Alpha ?? (Cbow ? 0.05 : 0.025);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid value.</summary>
    public Word2VecOptions Validate()
    {
        Check(Dim is >= 1 and <= 10_000, $"--dim must be between 1 and 10000 (got {Dim})");
        Check(Window is >= 1 and <= 1_000, $"--window must be between 1 and 1000 (got {Window})");
        Check(Negative is >= 1 and <= 1_000, $"--negative must be between 1 and 1000 (got {Negative})");
        Check(MinCount >= 1, $"--min-count must be at least 1 (got {MinCount})");
        Check(Sample >= 0 && double.IsFinite(Sample), $"--sample must be 0 or positive (got {Sample})");
        Check(Epochs >= 1, $"--epochs must be at least 1 (got {Epochs})");
        Check(StartingAlpha > 0 && double.IsFinite(StartingAlpha), $"--alpha must be positive (got {StartingAlpha})");
        Check(Threads is >= 1 and <= 1024, $"--threads must be between 1 and 1024 (got {Threads})");
        return this;
    }

    private static void Check(bool ok, string message)
    {
        if (!ok) throw new BadInputException(message);
    }
}
