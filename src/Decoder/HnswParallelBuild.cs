using System.Collections.Concurrent;

namespace VecLm.Decoder;

/// <summary>
/// The parallel build: the inserting threads and the per-node lock protocol (hnswlib's, for its <c>addPoint</c>).
/// A single-threaded build takes no locks, nor do searches of a finished index.
/// <list type="number">
/// <item>An insertion holds its new node's lock from its start to its end (<see cref="Insert"/>), so the node's lists
/// are never read half-written: another insertion that reaches the node waits until it is complete.</item>
/// <item>Every other node's list is read (greedy descent, <see cref="SearchLayer"/>) or changed (<see cref="Connect"/>:
/// append, or re-prune by the heuristic) under that node's lock, a short hold during which nothing else is locked.</item>
/// <item>A node above the current top layer holds the global lock for its whole insertion, releases its own lock, and
/// then becomes the entry point; the others take the global lock only to read the entry point and the top layer.</item>
/// <item>Each thread announces its node in flight in a slot, read and written under the slot's lock, another short
/// hold; nodes whose insertions overlapped are linked after both are complete (HnswOverlappingInserts.cs).</item>
/// </list>
/// Why it cannot deadlock. A wait for a short hold ends, as its holder waits for nothing. A thread waiting for the
/// global lock holds only its new node's lock, and no one can wait for that: a node's id enters lists only when its
/// own insertion links it (or, once it is complete, by an overlap link), so no other thread knows it yet. That leaves waits for a node under insertion, a "long"
/// hold. A thread T can meet such a node n only by reading n's id from a list, so n's insertion had begun and held
/// n's lock already; if T ever locks n after that, n's insertion has finished. Hence T never waits long in Connect
/// or when moving to the next layer: SearchLayer stops only when every remaining candidate is farther than every
/// result, so it has expanded — locked — every node it returns, and the next layer's entry is one of them (a greedy
/// step likewise ends on a node it locked, and the global entry point is complete before it is published). T waits
/// long only while expanding, in its search of some layer l (or a greedy step above its own top layer, when its own
/// node is in no list and no one waits for it), a node n read from a layer-l list. n is on layer-l lists only once
/// n's insertion has linked n on layer l, which it does after searching layer l, so if n's inserter is itself
/// waiting it is searching a layer below l. Around a cycle of waits the layers would strictly decrease: there is
/// none. (No thread waits for its own node: during its insertion it is on lists of the layers above the one it
/// searches only. The links between overlapping insertions touch complete nodes only, so they never wait long.)
/// </summary>
public sealed unsafe partial class HnswIndex<TDistance>
{
    /// <summary>
    /// Inserts every node, node 0 first; with several threads each takes the next id from a counter. The threads are
    /// started here (not taken from the pool), so that many really insert at once even on fewer cores.
    /// </summary>
    private void InsertAll(int threads, Action<int>? progress)
    {
        if (Count == 0) return;
        int next = 0, done = 0;
        void Worker(InsertionSlot? slot)
        {
            var scratch = RentScratch();
            int i;
            while ((i = Interlocked.Increment(ref next)) < Count)
            {
                if (slot is null) Insert(i, scratch);
                else InsertAnnounced(i, slot, scratch);
                int d = Interlocked.Increment(ref done);
                if ((d & 1023) == 0) progress?.Invoke(d);
            }
            ReturnScratch(scratch);
        }
        Insert(0, RentScratch());
        if (threads == 1)
        {
            Worker(null);
        }
        else
        {
            _concurrent = true;
            _slots = Enumerable.Range(0, threads).Select(_ => new InsertionSlot()).ToArray();
            var errors = new ConcurrentQueue<Exception>();
            void Guarded(InsertionSlot slot)
            {
                try { Worker(slot); }
                catch (Exception e)
                {
                    errors.Enqueue(e);
                    Volatile.Write(ref next, Count);   // the others stop after their current node
                }
            }
            var helpers = Enumerable.Range(1, threads - 1)
                .Select(t => new Thread(() => Guarded(_slots[t])) { IsBackground = true, Name = $"hnsw-insert-{t}" })
                .ToList();
            helpers.ForEach(t => t.Start());
            Guarded(_slots[0]);
            helpers.ForEach(t => t.Join());
            _concurrent = false;
            _slots = [];
            if (!errors.IsEmpty) throw new AggregateException("HNSW build failed", errors);
        }
        progress?.Invoke(Count);
    }

    private void LockNode(int node)
    {
        if (Interlocked.CompareExchange(ref _locks[node], 1, 0) == 0) return;
        var spin = new SpinWait();
        while (Interlocked.CompareExchange(ref _locks[node], 1, 0) != 0) spin.SpinOnce();
    }

    private void UnlockNode(int node) => Volatile.Write(ref _locks[node], 0);

    private void LockIfConcurrent(int node)
    {
        if (_concurrent) LockNode(node);
    }

    private void UnlockIfConcurrent(int node)
    {
        if (_concurrent) UnlockNode(node);
    }
}
