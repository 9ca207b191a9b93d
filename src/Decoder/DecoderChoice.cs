namespace VecLm.Decoder;

/// <summary>
/// Exact search or HNSW, by the number of words decoded to. Exact search scans every word (about 1.3 µs per 1,000
/// words per query, 64 dimensions, one thread); HNSW's cost barely grows with the words but starts higher (35–70 µs
/// with a rule's rescoring). Measured on the 2-core AMD EPYC (Zen 5), bench/vocab-sweep and eval: at Brown's 17,715
/// words exact 21 µs against HNSW 44–55 µs; at 46,188 (all of Brown's word forms) 54–58 against 35–36 µs; at
/// 676,561 words 900 against 69 µs; at 1M 1,300 against 34–47 µs. The crossover is near 30,000 words.
/// </summary>
public static class DecoderChoice
{
    /// <summary>From this many words on, HNSW decodes faster than exact search.</summary>
    public const int HnswFrom = 30_000;

    /// <summary>Whether exact search is the faster way to decode to <paramref name="words"/> words.</summary>
    public static bool ExactIsFaster(int words) => words < HnswFrom;
}
