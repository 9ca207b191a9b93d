namespace VecLm.Decoder;

/// <summary>Construction: Algorithm 1 (INSERT) and Algorithm 4 (SELECT-NEIGHBORS-HEURISTIC) of the paper.</summary>
public sealed unsafe partial class HnswIndex<TDistance>
{
    /// <summary>
    /// Algorithm 1: greedy descent from the entry point to the node's top layer + 1, then on each of its layers a
    /// search with efConstruction, M neighbours chosen by the heuristic and linked both ways (a neighbour whose
    /// list is full is re-pruned by the heuristic). A node above the current top layer becomes the entry point;
    /// it holds the global lock for its whole insertion, as in hnswlib.
    /// </summary>
    private void Insert(int node, SearchScratch scratch)
    {
        int level = _levels[node];
        float* q = VectorPtr(node);
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
            if (holdGlobal)
            {
                _entryPoint = node;
                _maxLevel = level;
                _globalLock.Exit();
            }
        }
    }

    /// <summary>
    /// After a parallel build: a node inserted while the node it descended to was itself still being inserted
    /// (its layer-0 list yet empty) may end up with that single neighbour, and be pruned from it later — unreachable.
    /// hnswlib avoids this by holding each node's lock for its whole insertion; here such nodes are found by a
    /// breadth-first walk and inserted again on layer 0 (their lists merged), which a single-threaded build never needs.
    /// </summary>
    private void RepairUnreachable(SearchScratch scratch)
    {
        for (int round = 0; round < 4; round++)
        {
            var reached = ReachedOnLayer0();
            int repaired = 0;
            for (int node = 0; node < Count; node++)
            {
                if (reached[node]) continue;
                float* q = VectorPtr(node);
                int entry = _entryPoint;
                float entryDist = TDistance.Distance(q, VectorPtr(entry), Dim);
                for (int l = _maxLevel; l > 0; l--) GreedyClosest(q, l, ref entry, ref entryDist);
                SearchLayer(q, entry, entryDist, EfConstruction, 0, scratch);
                int n = scratch.Results.Drain(scratch.Sorted, reverse: true);
                int m = 0;
                for (int i = 0; i < n; i++)
                    if (scratch.Sorted[i].Id != node) scratch.Sorted[m++] = scratch.Sorted[i];
                int selected = SelectNeighborsHeuristic(scratch.Sorted.AsSpan(0, m), M, scratch.Selected);
                Connect(node, 0, scratch.Selected.AsSpan(0, selected), scratch);
                repaired++;
            }
            if (repaired == 0) return;
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

    /// <summary>Writes the node's list on <paramref name="level"/>, then adds the node to each neighbour's list.</summary>
    private void Connect(int node, int level, ReadOnlySpan<int> neighbors, SearchScratch scratch)
    {
        int maxM = level == 0 ? MaxM0 : M;
        LockIfConcurrent(node);
        int* own = Links(node, level);
        int existing = own[0];
        if (existing == 0)
        {
            for (int i = 0; i < neighbors.Length; i++) own[i + 1] = neighbors[i];
            own[0] = neighbors.Length;
        }
        else
        {
            MergeOwnList(node, own, neighbors, maxM, scratch);
        }
        UnlockIfConcurrent(node);

        float* v = VectorPtr(node);
        foreach (int other in neighbors)
        {
            LockIfConcurrent(other);
            int* list = Links(other, level);
            int count = list[0];
            bool present = false;
            for (int i = 1; i <= count && !present; i++) present = list[i] == node;
            if (!present)
            {
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
            UnlockIfConcurrent(other);
        }
    }

    /// <summary>
    /// In a parallel build another thread may already have linked to this node from a layer on which the node's
    /// own list was still empty (it reached the node from a higher layer). Its links are kept: the selected
    /// neighbours and the existing ones are merged, pruned by the heuristic if they exceed the limit.
    /// </summary>
    private void MergeOwnList(int node, int* own, ReadOnlySpan<int> neighbors, int maxM, SearchScratch scratch)
    {
        float* v = VectorPtr(node);
        int existing = own[0];
        var union = scratch.Sorted.AsSpan(0, existing + neighbors.Length);
        int n = 0;
        foreach (int e in neighbors) union[n++] = new Candidate(TDistance.Distance(v, VectorPtr(e), Dim), e);
        for (int i = 1; i <= existing; i++)
        {
            int e = own[i];
            if (!neighbors.Contains(e)) union[n++] = new Candidate(TDistance.Distance(v, VectorPtr(e), Dim), e);
        }
        union = union[..n];
        union.Sort(new CloserFirst());
        var kept = scratch.Pruned.AsSpan(0, maxM);
        int count = SelectNeighborsHeuristic(union, maxM, kept);
        for (int i = 0; i < count; i++) own[i + 1] = kept[i];
        own[0] = count;
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

    private void LockIfConcurrent(int node)
    {
        if (_concurrent) LockNode(node);
    }

    private void UnlockIfConcurrent(int node)
    {
        if (_concurrent) UnlockNode(node);
    }
}
