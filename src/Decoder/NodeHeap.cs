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

/// <summary>Which end of a <see cref="NodeHeap{TOrder}"/> is on top, as a type so the JIT folds the comparison.</summary>
public interface IHeapOrder
{
    /// <summary>Whether <paramref name="a"/> belongs above <paramref name="b"/>.</summary>
    static abstract bool Above(in Candidate a, in Candidate b);
}

/// <summary>The closest on top: the candidate list C of the paper.</summary>
public readonly struct NearestFirst : IHeapOrder
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Above(in Candidate a, in Candidate b) => Candidate.Closer(a, b);
}

/// <summary>The farthest on top: the result list W of the paper, whose top is the bound to beat.</summary>
public readonly struct FarthestFirst : IHeapOrder
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Above(in Candidate a, in Candidate b) => Candidate.Closer(b, a);
}

/// <summary>Factories for the two kinds of heap.</summary>
public static class NodeHeap
{
    public static NodeHeap<NearestFirst> Nearest(int capacity = 64) => new(capacity);
    public static NodeHeap<FarthestFirst> Farthest(int capacity = 64) => new(capacity);
}

/// <summary>
/// An array-backed binary heap of <see cref="Candidate"/>s, reused across searches (no allocation per hop),
/// ordered by <typeparamref name="TOrder"/>.
/// </summary>
public sealed class NodeHeap<TOrder>(int capacity = 64) where TOrder : struct, IHeapOrder
{
    private Candidate[] _items = new Candidate[Math.Max(capacity, 4)];
    private int _count;

    public int Count => _count;
    public Candidate Top => _items[0];
    public ReadOnlySpan<Candidate> Unordered => _items.AsSpan(0, _count);

    public void Clear() => _count = 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Above(in Candidate a, in Candidate b) => TOrder.Above(a, b);

    public void Push(float distance, int id)
    {
        if (_count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        ref Candidate items = ref MemoryMarshal.GetArrayDataReference(_items);
        var item = new Candidate(distance, id);
        int i = _count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            ref Candidate p = ref Unsafe.Add(ref items, parent);
            if (!Above(item, p)) break;
            Unsafe.Add(ref items, i) = p;
            i = parent;
        }
        Unsafe.Add(ref items, i) = item;
    }

    public Candidate Pop()
    {
        ref Candidate items = ref MemoryMarshal.GetArrayDataReference(_items);
        var top = items;
        int n = --_count;
        if (n > 0)
        {
            var last = Unsafe.Add(ref items, n);
            int i = 0;
            while (true)
            {
                int child = 2 * i + 1;
                if (child >= n) break;
                if (child + 1 < n && Above(Unsafe.Add(ref items, child + 1), Unsafe.Add(ref items, child))) child++;
                ref Candidate c = ref Unsafe.Add(ref items, child);
                if (!Above(c, last)) break;
                Unsafe.Add(ref items, i) = c;
                i = child;
            }
            Unsafe.Add(ref items, i) = last;
        }
        return top;
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
