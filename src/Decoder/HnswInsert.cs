namespace VecLm.Decoder;

/// <summary>Construction: Algorithm 1 (INSERT) and Algorithm 4 (SELECT-NEIGHBORS-HEURISTIC) of the paper.</summary>
public sealed unsafe partial class HnswIndex<TDistance>
{
    /// <summary>
    /// Algorithm 1: greedy descent from the entry point to the node's top layer + 1, then on each of its layers a
    /// search with efConstruction, M neighbours chosen by the heuristic and linked both ways (a neighbour whose
    /// list is full is re-pruned by the heuristic). In a parallel build the node's own lock is held for the whole
    /// insertion, and a node above the current top layer, which becomes the entry point, holds the global lock for
    /// its whole insertion as well, and publishes itself when it is done (as in hnswlib; the protocol and why it cannot
    /// deadlock are in HnswParallelBuild.cs).
    /// </summary>
    private void Insert(int node, SearchScratch scratch)
    {
        int level = _levels[node];
        float* q = VectorPtr(node);
        LockIfConcurrent(node);
        _globalLock.Enter();
        int entry = _entryPoint, maxLevel = _maxLevel;
        bool holdGlobal = level > maxLevel;
        if (!holdGlobal) _globalLock.Exit();
        try
        {
            if (entry < 0) return;
            float entryDist = TDistance.Distance(q, VectorPtr(entry), Dim);
            for (int l = maxLevel; l > level; l--) GreedyClosest(q, l, ref entry, ref entryDist);
            for (int l = Math.Min(level, maxLevel); l >= 0; l--)
            {
                SearchLayer(q, entry, entryDist, EfConstruction, l, scratch);
                int n = scratch.Results.Drain(scratch.Sorted, reverse: true);
                var found = scratch.Sorted.AsSpan(0, n);
                entry = found[0].Id;
                entryDist = found[0].Distance;
                int selected = SelectNeighborsHeuristic(found, M, scratch.Selected);
                Connect(node, l, scratch.Selected.AsSpan(0, selected), scratch);
            }
        }
        finally
        {
            UnlockIfConcurrent(node);
            if (holdGlobal)
            {
                _entryPoint = node;
                _maxLevel = level;
                _globalLock.Exit();
            }
        }
    }

    /// <summary>
    /// Algorithm 4 without the optional extension and pruned-connection keeping (as hnswlib): walks the
    /// candidates closest first and keeps one only if it is closer to the base than to every one kept so far.
    /// <paramref name="sorted"/> holds distances to the base, closest first (ties by id); returns how many of
    /// <paramref name="selected"/> were filled.
    /// </summary>
    internal int SelectNeighborsHeuristic(ReadOnlySpan<Candidate> sorted, int m, Span<int> selected)
    {
        if (sorted.Length <= m)
        {
            for (int i = 0; i < sorted.Length; i++) selected[i] = sorted[i].Id;
            return sorted.Length;
        }
        int count = 0;
        foreach (var e in sorted)
        {
            float* v = VectorPtr(e.Id);
            bool good = true;
            for (int j = 0; j < count; j++)
            {
                if (TDistance.Distance(v, VectorPtr(selected[j]), Dim) < e.Distance) { good = false; break; }
            }
            if (!good) continue;
            selected[count++] = e.Id;
            if (count == m) break;
        }
        return count;
    }

    /// <summary>
    /// Writes the node's list on <paramref name="level"/> (the caller holds the node's lock), then adds the node to
    /// each neighbour's list under that neighbour's lock.
    /// </summary>
    private void Connect(int node, int level, ReadOnlySpan<int> neighbors, SearchScratch scratch)
    {
        int maxM = level == 0 ? MaxM0 : M;
        int* own = Links(node, level);
        // No other insertion can have linked to this node on this layer yet: it would have had to read the node's
        // list, under the lock this insertion holds (HnswParallelBuild.cs).
        if (own[0] != 0) throw new InvalidOperationException($"node {node} already has links on layer {level}");
        for (int i = 0; i < neighbors.Length; i++) own[i + 1] = neighbors[i];
        own[0] = neighbors.Length;

        float* v = VectorPtr(node);
        foreach (int other in neighbors)
        {
            LockIfConcurrent(other);
            try
            {
                int* list = Links(other, level);
                int count = list[0];
                bool present = false;
                for (int i = 1; i <= count && !present; i++) present = list[i] == node;
                if (present) continue;
                if (count < maxM)
                {
                    list[count + 1] = node;
                    list[0] = count + 1;
                }
                else
                {
                    Shrink(other, list, node, v, maxM, scratch);
                }
            }
            finally { UnlockIfConcurrent(other); }
        }
    }

    /// <summary>A full list plus the new node, pruned back to <paramref name="maxM"/> by the heuristic.</summary>
    private void Shrink(int owner, int* list, int node, float* nodeVector, int maxM, SearchScratch scratch)
    {
        float* o = VectorPtr(owner);
        int count = list[0];
        var candidates = scratch.Sorted.AsSpan(0, count + 1);
        for (int i = 0; i < count; i++)
            candidates[i] = new Candidate(TDistance.Distance(o, VectorPtr(list[i + 1]), Dim), list[i + 1]);
        candidates[count] = new Candidate(TDistance.Distance(o, nodeVector, Dim), node);
        candidates.Sort(new CloserFirst());
        var kept = scratch.Pruned.AsSpan(0, maxM);
        int n = SelectNeighborsHeuristic(candidates, maxM, kept);
        for (int i = 0; i < n; i++) list[i + 1] = kept[i];
        list[0] = n;
    }
}
