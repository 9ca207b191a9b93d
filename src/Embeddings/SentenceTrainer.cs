namespace VecLm.Embeddings;

/// <summary>
/// Trains on one (subsampled) sentence: for each position a window shrunk at random to 1..window words on each
/// side, as word2vec does, then the skip-gram or CBOW update with freshly drawn negatives. One per thread.
/// </summary>
internal sealed class SentenceTrainer(Word2VecOptions options, NegativeSampler sampler, float[] input, float[] output)
{
    private readonly int _dim = options.Dim;
    private readonly int[] _negatives = new int[options.Negative];
    private readonly int[] _context = new int[2 * options.Window];
    private readonly float[] _work = new float[options.Dim];
    private readonly float[] _mean = new float[options.Dim];

    public void Train(int[] sentence, int length, float alpha, ref Lcg random)
    {
        for (int i = 0; i < length; i++)
        {
            int word = sentence[i];
            int reach = options.Window - random.NextInt(options.Window);
            int from = Math.Max(0, i - reach), to = Math.Min(length - 1, i + reach);
            if (options.Cbow)
            {
                int n = 0;
                for (int j = from; j <= to; j++)
                    if (j != i) _context[n++] = sentence[j];
                DrawNegatives(ref random);
                Cbow.Update(input, output, _context.AsSpan(0, n), word, _negatives, alpha, _mean, _work);
                continue;
            }
            for (int j = from; j <= to; j++)
            {
                if (j == i) continue;
                DrawNegatives(ref random);
                // As word2vec C and gensim: the context word's input vector predicts the centre word.
                SkipGram.Update(input.AsSpan(sentence[j] * _dim, _dim), output, word, _negatives, alpha, _work);
            }
        }
    }

    private void DrawNegatives(ref Lcg random)
    {
        for (int d = 0; d < _negatives.Length; d++) _negatives[d] = sampler.Sample(ref random);
    }
}
