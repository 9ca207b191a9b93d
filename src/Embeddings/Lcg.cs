namespace VecLm.Embeddings;

/// <summary>
/// word2vec C's linear congruential generator (<c>next = next * 25214903917 + 11</c>): one multiply per draw,
/// which matters inside the training loop, and seedable per thread so one thread with a seed is reproducible.
/// </summary>
public struct Lcg(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        _state = unchecked(_state * 25214903917UL + 11UL);
        return _state;
    }

    /// <summary>A draw in [0, n), from the high 32 bits (the low bits of an LCG are weak), by multiply-shift.</summary>
    public int NextInt(int n) => (int)(((Next() >> 32) * (ulong)(uint)n) >> 32);

    /// <summary>A draw in [0, 1) with 24 bits of resolution.</summary>
    public float NextFloat() => (Next() >> 40) * (1.0f / (1 << 24));
}
