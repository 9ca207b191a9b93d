namespace VecLm.Decoder;

/// <summary>hnswlib's checkIntegrity, extended: the graph's invariants, checked node by node.</summary>
public sealed unsafe partial class HnswIndex<TDistance>
{
    /// <summary>
    /// Throws <see cref="InvalidDataException"/> naming the first problems unless: every link points to a node
    /// that exists on that layer, no node links to itself or twice to the same node, every list is within its
    /// limit (2·M on layer 0, M above), the entry point is on the top layer, and every node is reachable from
    /// the entry point on layer 0.
    /// </summary>
    public void CheckIntegrity()
    {
        var problems = FindIntegrityProblems(checkReachability: true, limit: 6);
        if (problems.Count > 0)
            throw new InvalidDataException($"HNSW integrity check failed: {string.Join("; ", problems.Take(5))}"
                                           + (problems.Count > 5 ? "; …" : ""));
    }

    /// <summary>The violated invariants (up to <paramref name="limit"/>), one message each.</summary>
    public List<string> FindIntegrityProblems(bool checkReachability = true, int limit = 100)
    {
        var problems = new List<string>();
        if (Count == 0) return problems;
        if (_entryPoint < 0 || _entryPoint >= Count) return [$"entry point {_entryPoint} out of range"];
        if (_levels[_entryPoint] != _maxLevel)
            problems.Add($"entry point {_entryPoint} is on layer {_levels[_entryPoint]}, the top layer is {_maxLevel}");
        var seen = new HashSet<int>();
        for (int node = 0; node < Count; node++)
        {
            if (_levels[node] > _maxLevel) problems.Add($"node {node} is above the top layer");
            for (int level = 0; level <= _levels[node]; level++)
            {
                var list = LinkList(node, level);
                int count = list[0], max = level == 0 ? MaxM0 : M;
                if (count < 0 || count > max)
                {
                    problems.Add($"node {node} has {count} links on layer {level} (limit {max})");
                    continue;
                }
                if (problems.Count >= limit) return problems;
                seen.Clear();
                for (int i = 1; i <= count; i++)
                {
                    int e = list[i];
                    if (e < 0 || e >= Count) problems.Add($"node {node} links to {e}, out of range, on layer {level}");
                    else if (e == node) problems.Add($"node {node} links to itself on layer {level}");
                    else if (!seen.Add(e)) problems.Add($"node {node} links twice to {e} on layer {level}");
                    else if (_levels[e] < level) problems.Add($"node {node} links on layer {level} to {e}, which is only on layers 0–{_levels[e]}");
                }
            }
        }
        if (!checkReachability || problems.Count >= limit) return problems;
        int unreachable = Count - ReachableOnLayer0();
        if (unreachable > 0) problems.Add($"{unreachable} of {Count} nodes are unreachable from the entry point on layer 0");
        return problems;
    }

    /// <summary>How many nodes a breadth-first walk of layer 0 from the entry point reaches.</summary>
    private int ReachableOnLayer0()
    {
        var reached = new bool[Count];
        var queue = new Queue<int>();
        reached[_entryPoint] = true;
        queue.Enqueue(_entryPoint);
        while (queue.Count > 0)
        {
            var list = LinkList(queue.Dequeue(), 0);
            int count = Math.Clamp(list[0], 0, MaxM0);
            for (int i = 1; i <= count; i++)
            {
                int e = list[i];
                if (e < 0 || e >= Count || reached[e]) continue;
                reached[e] = true;
                queue.Enqueue(e);
            }
        }
        return reached.Count(r => r);
    }
}
