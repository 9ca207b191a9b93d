using System.Runtime.Intrinsics.X86;

namespace VecLm.Decoder;

/// <summary>Search: Algorithm 2 (SEARCH-LAYER) and the greedy descent (SEARCH-LAYER with ef = 1) of the paper.</summary>
public sealed unsafe partial class HnswIndex<TDistance>
{
    /// <summary>
    /// Algorithm 2: a best-first search of one layer from <paramref name="entry"/> keeping the <paramref name="ef"/>
    /// closest nodes seen (in <c>scratch.Results</c>, farthest on top) and expanding candidates (closest first)
    /// until the closest remaining candidate is farther than the farthest result (so every result has been expanded).
    /// While several threads build the graph each list is copied under its node's lock, which waits for a node still
    /// being inserted (HnswParallelBuild.cs); afterwards lists are read directly.
    /// </summary>
    private void SearchLayer(float* q, int entry, float entryDist, int ef, int level, SearchScratch scratch)
    {
        var candidates = scratch.Candidates;
        var results = scratch.Results;
        scratch.Visited.Reset();
        candidates.Clear();
        results.Clear();
        ushort epoch = scratch.Visited.Epoch;
        int dim = Dim;
        bool copy = _concurrent;
        fixed (ushort* marks = scratch.Visited.Marks)
        fixed (int* buffer = scratch.Neighbors)
        {
            marks[entry] = epoch;
            candidates.Push(entryDist, entry);
            results.Push(entryDist, entry);
            var bound = new Candidate(entryDist, entry);
            while (candidates.Count > 0)
            {
                var c = candidates.Pop();
                if (Candidate.Closer(bound, c) && results.Count >= ef) break;
                int* list = Links(c.Id, level);
                if (copy)
                {
                    LockNode(c.Id);
                    int n = list[0];
                    for (int i = 0; i <= n; i++) buffer[i] = list[i];
                    UnlockNode(c.Id);
                    list = buffer;
                }
                int count = list[0];
                if (Sse.IsSupported && count > 0)
                {
                    Sse.Prefetch0(marks + list[1]);
                    Sse.Prefetch0(VectorPtr(list[1]));
                }
                for (int i = 1; i <= count; i++)
                {
                    int e = list[i];
                    if (Sse.IsSupported && i < count)
                    {
                        int next = list[i + 1];
                        Sse.Prefetch0(marks + next);
                        Sse.Prefetch0(VectorPtr(next));
                    }
                    if (marks[e] == epoch) continue;
                    marks[e] = epoch;
                    float d = TDistance.Distance(q, VectorPtr(e), dim);
                    var cand = new Candidate(d, e);
                    if (results.Count < ef || Candidate.Closer(cand, bound))
                    {
                        candidates.Push(d, e);
                        if (Sse.IsSupported) Sse.Prefetch0(Links(candidates.Top.Id, level));
                        results.Push(d, e);
                        if (results.Count > ef) results.Pop();
                        bound = results.Top;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Greedy descent on one upper layer: move to a closer neighbour while there is one (lists copied under their
    /// node's lock during a parallel build, as in <see cref="SearchLayer"/>).
    /// </summary>
    private void GreedyClosest(float* q, int level, ref int node, ref float dist)
    {
        bool changed = true;
        int* buffer = stackalloc int[M + 1];
        while (changed)
        {
            changed = false;
            int* list = Links(node, level);
            if (_concurrent)
            {
                LockNode(node);
                int n = list[0];
                for (int i = 0; i <= n; i++) buffer[i] = list[i];
                UnlockNode(node);
                list = buffer;
            }
            int count = list[0];
            for (int i = 1; i <= count; i++)
            {
                int e = list[i];
                float d = TDistance.Distance(q, VectorPtr(e), Dim);
                if (d < dist || (d == dist && e < node))
                {
                    dist = d;
                    node = e;
                    changed = true;
                }
            }
        }
    }
}
