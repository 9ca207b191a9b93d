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
/// An array-backed binary heap of <see cref="Candidate"/>s, reused across searches (no allocation per hop).
/// <c>Nearest</c> heaps pop the closest first (the candidate list C of the paper), <c>Farthest</c> heaps pop the
/// farthest first (the result list W, whose top is the bound to beat).
/// </summary>
public sealed class NodeHeap(bool farthestOnTop, int capacity = 64)
{
    private Candidate[] _items = new Candidate[Math.Max(capacity, 4)];
    private int _count;

    public static NodeHeap Nearest(int capacity = 64) => new(false, capacity);
    public static NodeHeap Farthest(int capacity = 64) => new(true, capacity);

    public int Count => _count;
    public Candidate Top => _items[0];
    public ReadOnlySpan<Candidate> Unordered => _items.AsSpan(0, _count);

    public void Clear() => _count = 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Above(in Candidate a, in Candidate b) => farthestOnTop ? Candidate.Closer(b, a) : Candidate.Closer(a, b);

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

    /// <summary>Empties the heap into <paramref name="sorted"/>, closest first; returns how many were written.</summary>
    public int DrainSorted(Span<Candidate> sorted)
    {
        int n = _count;
        _items.AsSpan(0, n).CopyTo(sorted);
        sorted[..n].Sort(static (a, b) => Candidate.Closer(a, b) ? -1 : Candidate.Closer(b, a) ? 1 : 0);
        _count = 0;
        return n;
    }
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
