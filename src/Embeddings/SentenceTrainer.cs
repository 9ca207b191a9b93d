using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
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
internal sealed class SentenceTrainer
{
    private readonly Word2VecOptions _options;
    private readonly NegativeSampler _sampler;
    private readonly float[] _input, _output;
    private readonly int[][]? _rows;
    private readonly HotOutputRows? _hot;
    private readonly int _dim;
    private readonly int[] _negatives;
    private readonly int[] _context;
    private readonly float[] _work, _mean;
    private readonly List<int> _contextRows = [];

    /// <param name="rows">Each word's input rows (a subword model).</param>
    /// <param name="hot">This thread's own copies of the most frequent words' output rows (several threads).</param>
    public SentenceTrainer(Word2VecOptions options, NegativeSampler sampler, float[] input, float[] output,
                           int[][]? rows = null, HotOutputRows? hot = null)
    {
        _hot = hot;
        // The training methods are compiled optimised at their first call (no tiering): the classes whose statics
        // they read must be initialised by then, or the JIT does not inline their kernels.
        RuntimeHelpers.RunClassConstructor(typeof(Sigmoid).TypeHandle);
        _options = options;
        _sampler = sampler;
        _input = input;
        _output = output;
        _rows = rows;
        _dim = options.Dim;
        _negatives = new int[options.Negative];
        _context = new int[2 * options.Window];
        _work = new float[options.Dim];
        _mean = new float[options.Dim];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Train(int[] sentence, int length, float alpha, ref Lcg random)
    {
        for (int i = 0; i < length; i++)
        {
            int word = sentence[i];
            int reach = _options.Window - random.NextInt(_options.Window);
            int from = Math.Max(0, i - reach), to = Math.Min(length - 1, i + reach);
            if (_options.Cbow)
            {
                int n = 0;
                for (int j = from; j <= to; j++)
                    if (j != i) _context[n++] = sentence[j];
                DrawNegatives(ref random);
                if (_rows is null) WordCbow(_context.AsSpan(0, n), word, alpha);
                else SubwordCbow(_context.AsSpan(0, n), word, alpha);
            }
            else if (_rows is not null) SubwordSkipGram(sentence, i, from, to, alpha, ref random);
            else
                for (int j = from; j <= to; j++)
                {
                    if (j == i) continue;
                    DrawNegatives(ref random);
                    // As word2vec C and gensim: the context word's input vector predicts the centre word.
                    var h = Input(sentence[j]);
                    _work.AsSpan().Clear();
                    NegativeSampling(h, word, alpha, _work);
                    Simd.Axpy(1f, _work, h);
                }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WordCbow(ReadOnlySpan<int> context, int target, float alpha)
    {
        if (context.IsEmpty) return;
        var mean = _mean.AsSpan();
        mean.Clear();
        foreach (int c in context) Simd.Axpy(1f, Input(c), mean);
        TensorPrimitives.Multiply(mean, 1f / context.Length, mean);
        _work.AsSpan().Clear();
        NegativeSampling(mean, target, alpha, _work);
        foreach (int c in context) Simd.Axpy(1f, _work, Input(c));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SubwordSkipGram(int[] sentence, int centre, int from, int to, float alpha, ref Lcg random)
    {
        var own = _rows![sentence[centre]];
        Mean(own);
        _work.AsSpan().Clear();
        for (int j = from; j <= to; j++)
        {
            if (j == centre) continue;
            DrawNegatives(ref random);
            NegativeSampling(_mean, sentence[j], alpha, _work);
        }
        foreach (int row in own) Simd.Axpy(1f, _work, Row(row));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SubwordCbow(ReadOnlySpan<int> context, int target, float alpha)
    {
        if (context.IsEmpty) return;
        _contextRows.Clear();
        foreach (int c in context) _contextRows.AddRange(_rows![c]);
        var all = CollectionsMarshal.AsSpan(_contextRows);
        Mean(all);
        _work.AsSpan().Clear();
        NegativeSampling(_mean, target, alpha, _work);
        foreach (int row in all) Simd.Axpy(1f, _work, Row(row));
    }

    /// <summary>The mean of the input rows into <c>_mean</c>, their cache lines asked for first (n-gram rows are scattered).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Mean(ReadOnlySpan<int> rows)
    {
        foreach (int row in rows)
            SkipGram.Prefetch(_input, row, _dim);
        var mean = _mean.AsSpan();
        mean.Clear();
        foreach (int row in rows) Simd.Axpy(1f, Row(row), mean);
        if (rows.Length > 1) TensorPrimitives.Multiply(mean, 1f / rows.Length, mean);
    }

    /// <summary>
    /// <see cref="SkipGram.NegativeSampling"/> over this thread's view of the output rows: updates the target's row
    /// (label 1) and each negative's (label 0; one equal to the target is skipped) and adds h's step to <paramref name="hStep"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void NegativeSampling(ReadOnlySpan<float> h, int target, float alpha, Span<float> hStep)
    {
        PrefetchOutput(target);
        foreach (int n in _negatives) PrefetchOutput(n);
        SkipGram.Step(h, Output(target), 1f, alpha, hStep);
        foreach (int n in _negatives)
            if (n != target) SkipGram.Step(h, Output(n), 0f, alpha, hStep);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe Span<float> Output(int id) => _hot is null ? _output.AsSpan(id * _dim, _dim) : new Span<float>(_hot.Row(id), _dim);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe void PrefetchOutput(int id)
    {
        if (_hot is null) SkipGram.Prefetch(_output, id, _dim);
        else SkipGram.Prefetch(_hot.Row(id), _dim);
    }

    /// <summary>A word's input row (word vectors).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<float> Input(int id) => _input.AsSpan(id * _dim, _dim);

    /// <summary>An input row of a subword model.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<float> Row(int row) => _input.AsSpan(row * _dim, _dim);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DrawNegatives(ref Lcg random)
    {
        for (int d = 0; d < _negatives.Length; d++) _negatives[d] = _sampler.Sample(ref random);
    }
}
