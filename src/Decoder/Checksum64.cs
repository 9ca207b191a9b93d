using System.Numerics;
using System.Runtime.InteropServices;

namespace VecLm.Decoder;

/// <summary>
/// A fast 64-bit checksum (multiply–rotate over 8-byte words, then a final avalanche), for telling a corrupt or
/// mismatched file from a good one. Not cryptographic. Append spans in the same order to get the same value.
/// </summary>
public struct Checksum64
{
    private const ulong P1 = 0x9E3779B97F4A7C15UL;
    private const ulong P2 = 0xC2B2AE3D27D4EB4FUL;
    private ulong _hash;
    private long _length;

    public Checksum64() => _hash = 0x27D4EB2F165667C5UL;

    public void Append<T>(ReadOnlySpan<T> values) where T : unmanaged => Append(MemoryMarshal.AsBytes(values));

    public void Append(ReadOnlySpan<byte> bytes)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(bytes);
        ulong h = _hash;
        foreach (ulong w in words) h = BitOperations.RotateLeft(h ^ (w * P1), 31) * P2;
        ulong tail = 0;
        for (int i = words.Length * 8; i < bytes.Length; i++) tail = (tail << 8) | bytes[i];
        h = BitOperations.RotateLeft(h ^ ((tail + (ulong)bytes.Length) * P1), 31) * P2;
        _hash = h;
        _length += bytes.Length;
    }

    public readonly ulong Value
    {
        get
        {
            ulong h = _hash ^ (ulong)_length;
            h ^= h >> 33;
            h *= P2;
            h ^= h >> 29;
            h *= P1;
            return h ^ (h >> 32);
        }
    }

    public static ulong Of<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        var c = new Checksum64();
        c.Append(values);
        return c.Value;
    }
}
