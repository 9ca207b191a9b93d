using System.Runtime.InteropServices;

namespace VecLm.Embeddings;

/// <summary>
/// Trains on one (subsampled) sentence: for each position a window shrunk at random to 1..window words on each
/// side, as word2vec does, then the skip-gram or CBOW update with freshly drawn negatives. One per thread.
/// With <c>rows</c> (a subword model, fastText's way) a word's input is the mean of its input rows — its own and its
/// n-grams' — and every one of those rows receives the input's step: in skip-gram the centre word's rows predict each
/// context word (fastText's direction; their mean is computed once per centre word and the steps of its context words
/// are summed before they are applied), in CBOW the rows of all context words together predict the centre.
/// </summary>
internal sealed class SentenceTrainer(Word2VecOptions options, NegativeSampler sampler, float[] input, float[] output,
                                      int[][]? rows = null)
{
    private readonly int _dim = options.Dim;
    private readonly int[] _negatives = new int[options.Negative];
    private readonly int[] _context = new int[2 * options.Window];
    private readonly float[] _work = new float[options.Dim];
    private readonly float[] _mean = new float[options.Dim];
    private readonly List<int> _contextRows = [];

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
                if (rows is null) Cbow.Update(input, output, _context.AsSpan(0, n), word, _negatives, alpha, _mean, _work);
                else SubwordCbow(_context.AsSpan(0, n), word, alpha);
                continue;
            }
            if (rows is not null)
            {
                SubwordSkipGram(sentence, i, from, to, alpha, ref random);
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

    private void SubwordSkipGram(int[] sentence, int centre, int from, int to, float alpha, ref Lcg random)
    {
        var own = rows![sentence[centre]];
        Mean(own);
        _work.AsSpan().Clear();
        for (int j = from; j <= to; j++)
        {
            if (j == centre) continue;
            DrawNegatives(ref random);
            SkipGram.NegativeSampling(_mean, output, sentence[j], _negatives, alpha, _work);
        }
        foreach (int row in own) Simd.Axpy(1f, _work, input.AsSpan(row * _dim, _dim));
    }

    private void SubwordCbow(ReadOnlySpan<int> context, int target, float alpha)
    {
        if (context.IsEmpty) return;
        _contextRows.Clear();
        foreach (int c in context) _contextRows.AddRange(rows![c]);
        var all = CollectionsMarshal.AsSpan(_contextRows);
        Mean(all);
        _work.AsSpan().Clear();
        SkipGram.NegativeSampling(_mean, output, target, _negatives, alpha, _work);
        foreach (int row in all) Simd.Axpy(1f, _work, input.AsSpan(row * _dim, _dim));
    }

    /// <summary>The mean of the input rows into <c>_mean</c>, their cache lines asked for first (n-gram rows are scattered).</summary>
    private void Mean(ReadOnlySpan<int> of)
    {
        foreach (int row in of) SkipGram.Prefetch(input, row, _dim);
        var mean = _mean.AsSpan();
        mean.Clear();
        foreach (int row in of) Simd.Axpy(1f, input.AsSpan(row * _dim, _dim), mean);
        if (of.Length > 1) System.Numerics.Tensors.TensorPrimitives.Multiply(mean, 1f / of.Length, mean);
    }

    private void DrawNegatives(ref Lcg random)
    {
        for (int d = 0; d < _negatives.Length; d++) _negatives[d] = sampler.Sample(ref random);
    }
}
