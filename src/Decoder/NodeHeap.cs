using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VecLm.Decoder;

/// <summary>A node and its distance to the query; ordered by distance, then by id (the tie-break everywhere).</summary>
public readonly record struct Candidate(float Distance, int Id)
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Closer(in Candidate a, in Candidate b) =>
        a.Distance < b.Distance || (a.Distance == b.Distance && a.Id < b.Id);
}

/// <summary>
/// A candidate packed into one 64-bit key that orders as <see cref="Candidate.Closer"/> does: the distance's bits made
/// order-preserving in the high half, the id in the low half. Heaps compare keys with one integer comparison instead
/// of two float comparisons and a tie-break (in a profile of 50,000 searches at ef 160 the heaps were a fifth of
/// the time, 2026-12-03). NaN has no place in the order; −0 is taken as +0.
/// </summary>
public static class CandidateKey
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Of(float distance, int id)
    {
        uint bits = BitConverter.SingleToUInt32Bits(distance + 0f);   // −0 becomes +0: equal distances, equal keys
        uint ordered = (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
        return ((ulong)ordered << 32) | (uint)id;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Candidate ToCandidate(ulong key)
    {
        uint ordered = (uint)(key >> 32);
        uint bits = (ordered & 0x8000_0000u) != 0 ? ordered & 0x7FFF_FFFFu : ~ordered;
        return new Candidate(BitConverter.UInt32BitsToSingle(bits), (int)(uint)key);
    }
}

/// <summary>Which end of a <see cref="NodeHeap{TOrder}"/> is on top, as a type so the JIT folds the comparison.</summary>
public interface IHeapOrder
{
    /// <summary>Whether key <paramref name="a"/> belongs above key <paramref name="b"/> (<see cref="CandidateKey"/>).</summary>
    static abstract bool Above(ulong a, ulong b);
}

/// <summary>The closest on top: the candidate list C of the paper.</summary>
public readonly struct NearestFirst : IHeapOrder
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Above(ulong a, ulong b) => a < b;
}

/// <summary>The farthest on top: the result list W of the paper, whose top is the bound to beat.</summary>
public readonly struct FarthestFirst : IHeapOrder
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Above(ulong a, ulong b) => a > b;
}

/// <summary>Factories for the two kinds of heap.</summary>
public static class NodeHeap
{
    public static NodeHeap<NearestFirst> Nearest(int capacity = 64) => new(capacity);
    public static NodeHeap<FarthestFirst> Farthest(int capacity = 64) => new(capacity);
}

/// <summary>
/// An array-backed binary heap of candidates (as <see cref="CandidateKey"/>s), reused across searches (no allocation
/// per hop), ordered by <typeparamref name="TOrder"/>.
/// </summary>
public sealed class NodeHeap<TOrder>(int capacity = 64) where TOrder : struct, IHeapOrder
{
    private ulong[] _keys = new ulong[Math.Max(capacity, 4)];
    private int _count;

    public int Count => _count;
    public Candidate Top => CandidateKey.ToCandidate(_keys[0]);
    /// <summary>The top's key: compare a <see cref="CandidateKey.Of"/> against it without unpacking.</summary>
    public ulong TopKey => _keys[0];

    public void Clear() => _count = 0;

    public void Push(float distance, int id) => Push(CandidateKey.Of(distance, id));

    public void Push(ulong key)
    {
        if (_count == _keys.Length) Array.Resize(ref _keys, _keys.Length * 2);
        ref ulong keys = ref MemoryMarshal.GetArrayDataReference(_keys);
        int i = _count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            ulong p = Unsafe.Add(ref keys, parent);
            if (!TOrder.Above(key, p)) break;
            Unsafe.Add(ref keys, i) = p;
            i = parent;
        }
        Unsafe.Add(ref keys, i) = key;
    }

    public Candidate Pop() => CandidateKey.ToCandidate(PopKey());

    public ulong PopKey()
    {
        ref ulong keys = ref MemoryMarshal.GetArrayDataReference(_keys);
        ulong top = keys;
        int n = --_count;
        if (n > 0) SiftDown(ref keys, Unsafe.Add(ref keys, n), n);
        return top;
    }

    /// <summary>Pop then push in one sift: the result list's step when a closer node displaces its farthest.</summary>
    public void ReplaceTop(ulong key)
    {
        if (_count == 0) { Push(key); return; }
        SiftDown(ref MemoryMarshal.GetArrayDataReference(_keys), key, _count);
    }

    /// <summary>Puts <paramref name="item"/> at the root of the first <paramref name="n"/> keys and sifts it down.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SiftDown(ref ulong keys, ulong item, int n)
    {
        int i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= n) break;
            ulong c = Unsafe.Add(ref keys, child);
            if (child + 1 < n)
            {
                ulong right = Unsafe.Add(ref keys, child + 1);
                if (TOrder.Above(right, c)) { c = right; child++; }
            }
            if (!TOrder.Above(c, item)) break;
            Unsafe.Add(ref keys, i) = c;
            i = child;
        }
        Unsafe.Add(ref keys, i) = item;
    }

    /// <summary>
    /// Empties the heap into <paramref name="into"/>, nearest first whatever the order (one sort instead of a pop per
    /// key: trimming ef results to k by pops was 4% of a search at ef 160); returns how many were written.
    /// </summary>
    public int DrainNearestFirst(Span<ulong> into)
    {
        int n = _count;
        var keys = into[..n];
        _keys.AsSpan(0, n).CopyTo(keys);
        keys.Sort();
        _count = 0;
        return n;
    }

    /// <summary>
    /// Empties the heap into <paramref name="sorted"/>, in pop order (reversed when <paramref name="reverse"/>);
    /// returns how many were written.
    /// </summary>
    public int Drain(Span<Candidate> sorted, bool reverse)
    {
        int n = _count;
        for (int i = 0; i < n; i++) sorted[reverse ? n - 1 - i : i] = Pop();
        return n;
    }
}

/// <summary>Sorts candidates closest first (ties by id) without a delegate.</summary>
public readonly struct CloserFirst : IComparer<Candidate>
{
    public int Compare(Candidate a, Candidate b) => Candidate.Closer(a, b) ? -1 : Candidate.Closer(b, a) ? 1 : 0;
}

/// <summary>
/// hnswlib's visited list: one mark per node and an epoch counter, so starting a search costs nothing but an
/// increment (the marks are cleared only when the counter wraps). Pooled per index, one per concurrent search.
/// </summary>
public sealed class VisitedList(int count)
{
    private readonly ushort[] _marks = new ushort[count];
    private ushort _epoch;

    public int Capacity => _marks.Length;
    internal ushort[] Marks => _marks;
    internal ushort Epoch => _epoch;

    public void Reset()
    {
        if (++_epoch == 0)
        {
            Array.Clear(_marks);
            _epoch = 1;
        }
    }

    /// <summary>Marks <paramref name="id"/>; false if it was already marked in this epoch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryVisit(int id)
    {
        ref ushort mark = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_marks), id);
        if (mark == _epoch) return false;
        mark = _epoch;
        return true;
    }
}
