namespace VecLm.Decoder;

/// <summary>
/// Insertions that overlap in time. Two nodes inserted at once by different threads need not see each other: each
/// may search before the other is linked. A sequential build offers the earlier node to the later one's heuristic;
/// without that, two near nodes — duplicates above all — both land in the same neighbours' lists, where the
/// heuristic keeps one and drops the other as redundant, and the dropped one may be left with no way in. The locks
/// cannot help: hnswlib 0.6.2, whose protocol they are, leaves 321 and 874 nodes unreachable on layer 0 over 12
/// builds at 2 and 4 threads of 4,000 random 16-dim vectors, every third a copy of the one before (M 8,
/// efConstruction 40; none with 1 thread), and so did this index before these links (185 and 118 nodes).
/// So each inserting thread announces its node in a slot; an insertion notes the nodes in flight when it starts,
/// and once both insertions are complete the two nodes are offered to each other on their common layers as the
/// heuristic would judge them (<see cref="OfferLink"/>). Two insertions that overlap are noted at least once (each
/// announces itself before it reads the other slots, all under the slots' locks); if the later one reads the
/// earlier one's slot only after that was cleared, its search starts after the earlier node was linked, as in a
/// sequential build. The links are made with short holds of one node lock at a time, both nodes being complete.
/// </summary>
public sealed unsafe partial class HnswIndex<TDistance>
{
    /// <summary>One inserting thread's node in flight and the nodes that noted it (guarded by locking the slot).</summary>
    private sealed class InsertionSlot
    {
        public int Node = -1;
        public readonly List<int> NotedBy = [];
        // Used by the owning thread only:
        public readonly List<(int Node, InsertionSlot Slot)> InFlight = [];
        public readonly List<int> Taken = [];
    }

    private InsertionSlot[] _slots = [];

    /// <summary>
    /// <see cref="Insert"/>, announced in the thread's slot, then the links to the insertions it overlapped: to the
    /// nodes in flight when it started (or, when such a node is still in flight, left in that node's slot for its
    /// own thread to make when it is done), and to the nodes that noted this one while it was in flight.
    /// </summary>
    private void InsertAnnounced(int node, InsertionSlot mine, SearchScratch scratch)
    {
        lock (mine) mine.Node = node;
        mine.InFlight.Clear();
        foreach (var slot in _slots)
        {
            if (slot == mine) continue;
            lock (slot)
                if (slot.Node >= 0) mine.InFlight.Add((slot.Node, slot));
        }

        Insert(node, scratch);

        mine.Taken.Clear();
        lock (mine)
        {
            mine.Node = -1;
            mine.Taken.AddRange(mine.NotedBy);
            mine.NotedBy.Clear();
        }
        foreach (var (other, slot) in mine.InFlight)
        {
            bool left = false;
            lock (slot)
            {
                if (slot.Node == other)
                {
                    slot.NotedBy.Add(node);
                    left = true;
                }
            }
            if (!left) LinkOverlapping(node, other, scratch);
        }
        foreach (int other in mine.Taken) LinkOverlapping(node, other, scratch);
    }

    /// <summary>Two complete nodes whose insertions overlapped, offered to each other on each layer they share.</summary>
    private void LinkOverlapping(int a, int b, SearchScratch scratch)
    {
        for (int level = Math.Min(_levels[a], _levels[b]); level >= 0; level--)
        {
            OfferLink(a, b, level, scratch);
            OfferLink(b, a, level, scratch);
        }
    }

    /// <summary>
    /// Under <paramref name="owner"/>'s lock: adds <paramref name="node"/> to its list on <paramref name="level"/>
    /// unless it is there already or the heuristic would drop it (a listed node closer to the owner than it is closer
    /// to it than the owner is); a full list is re-pruned by the heuristic with it.
    /// </summary>
    private void OfferLink(int owner, int node, int level, SearchScratch scratch)
    {
        int maxM = level == 0 ? MaxM0 : M;
        float* o = VectorPtr(owner), v = VectorPtr(node);
        LockNode(owner);
        try
        {
            int* list = Links(owner, level);
            int count = list[0];
            for (int i = 1; i <= count; i++)
                if (list[i] == node) return;
            var offered = new Candidate(TDistance.Distance(o, v, Dim), node);
            for (int i = 1; i <= count; i++)
            {
                float* s = VectorPtr(list[i]);
                if (TDistance.Distance(v, s, Dim) < offered.Distance
                    && Candidate.Closer(new Candidate(TDistance.Distance(o, s, Dim), list[i]), offered)) return;
            }
            if (count < maxM)
            {
                list[count + 1] = node;
                list[0] = count + 1;
            }
            else
            {
                Shrink(owner, list, node, v, maxM, scratch);
            }
        }
        finally { UnlockNode(owner); }
    }
}
