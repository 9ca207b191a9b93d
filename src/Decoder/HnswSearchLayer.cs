using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace VecLm.Decoder;

/// <summary>Search: Algorithm 2 (SEARCH-LAYER) and the greedy descent (SEARCH-LAYER with ef = 1) of the paper.</summary>
public sealed unsafe partial class HnswIndex<TDistance>
{
    /// <summary>
    /// Algorithm 2: a best-first search of one layer from <paramref name="entry"/> keeping the <paramref name="ef"/>
    /// closest nodes seen (in <c>scratch.Results</c>, farthest on top) and expanding candidates (closest first)
    /// until the closest remaining candidate is farther than the farthest result (so every result has been expanded).
    /// <paramref name="seeds"/> are more entry points (layer 0 of a decode: <see cref="HnswIndex{TDistance}.Search(ReadOnlySpan{float}, int, ReadOnlySpan{int})"/>).
    /// While several threads build the graph each list is copied under its node's lock, which waits for a node still
    /// being inserted (HnswParallelBuild.cs); afterwards lists are read directly.
    /// </summary>
    // Compiled optimised at its first call, not taken from the ReadyToRun image: a short batch (5,000 queries at ef 10 are
    // 40 ms) otherwise ran in the image's code, which cannot inline across our assemblies (Simd.Dot), until tier 1
    // replaced it. With tiering off (the image's code for the whole run) 50,000 Brown queries at ef 40 ran at 24–26k
    // queries/s, against 26–33k compiled at the first call (alternated runs, 2026-12-03).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SearchLayer(float* q, int entry, float entryDist, int ef, int level, SearchScratch scratch,
                             ReadOnlySpan<int> seeds = default)
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
        fixed (int* unvisited = scratch.Unvisited)
        {
            marks[entry] = epoch;
            ulong entryKey = CandidateKey.Of(entryDist, entry);
            candidates.Push(entryKey);
            results.Push(entryKey);
            // Seeds: more entry points, each scored and taken as a candidate and a result like the entry.
            foreach (int seed in seeds)
            {
                if (marks[seed] == epoch) continue;
                marks[seed] = epoch;
                ulong key = CandidateKey.Of(TDistance.Distance(q, VectorPtr(seed), dim), seed);
                candidates.Push(key);
                if (results.Count < ef) results.Push(key);
                else if (key < results.TopKey) results.ReplaceTop(key);
            }
            ulong bound = results.TopKey;     // the farthest result's key
            while (candidates.Count > 0)
            {
                ulong c = candidates.PopKey();
                if (bound < c && results.Count >= ef) break;
                int* list = Links((int)(uint)c, level);
                if (copy)
                {
                    LockNode((int)(uint)c);
                    int n = list[0];
                    for (int i = 0; i <= n; i++) buffer[i] = list[i];
                    UnlockNode((int)(uint)c);
                    list = buffer;
                }
                // First the list's unvisited nodes, gathered without a branch (whether a neighbour was visited is
                // a coin toss the predictor loses: 2 of 3 are at ef 160), all marked; then their distances, each
                // with the next one's whole vector prefetched (four cache lines at 64 dims, not only the first line
                // as hnswlib does). The nodes scored, their order and so the results are those of the one-pass loop;
                // alternated in one process (2026-12-04, 20 pairs, median of the pairs' ratios): over Brown's vectors
                // 1.04× the queries/s at ef 10, 1.07× at 20, 1.14× at 80, 1.15–1.20× at 160; over 300,000 random
                // vectors 1.01×, 1.06× and 1.07× at ef 10, 40 and 160.
                int count = list[0], fresh = 0;
                for (int i = 1; i <= count; i++)
                {
                    int e = list[i];
                    unvisited[fresh] = e;
                    fresh += marks[e] != epoch ? 1 : 0;
                    marks[e] = epoch;
                }
                if (Sse.IsSupported && fresh > 0) PrefetchVector(unvisited[0], dim);
                for (int j = 0; j < fresh; j++)
                {
                    int e = unvisited[j];
                    if (Sse.IsSupported && j + 1 < fresh) PrefetchVector(unvisited[j + 1], dim);
                    ulong key = CandidateKey.Of(TDistance.Distance(q, VectorPtr(e), dim), e);
                    if (results.Count < ef)
                    {
                        results.Push(key);
                        bound = results.TopKey;
                    }
                    else if (key < bound)
                    {
                        results.ReplaceTop(key);
                        bound = results.TopKey;
                    }
                    else continue;
                    candidates.Push(key);
                    if (Sse.IsSupported) Sse.Prefetch0(Links((int)(uint)candidates.TopKey, level));
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void PrefetchVector(int id, int dim)
    {
        float* vector = VectorPtr(id);
        for (int off = 0; off < dim; off += 16) Sse.Prefetch0(vector + off);
    }

    /// <summary>
    /// Greedy descent on one upper layer: move to a closer neighbour while there is one (lists copied under their
    /// node's lock during a parallel build, as in <see cref="SearchLayer"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // as SearchLayer
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
