using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VecLm.Decoder;

/// <summary>Builds and loads HNSW indexes over cosine similarity (the distance word vectors are compared with).</summary>
public static class HnswIndex
{
    /// <summary>
    /// Builds the graph over <paramref name="vectors"/> (row-major, <c>count × dim</c>); a copy is normalised.
    /// <paramref name="progress"/> receives the number of nodes inserted so far, now and then.
    /// </summary>
    public static HnswIndex<CosineDistance> Build(ReadOnlySpan<float> vectors, int dim, HnswOptions options,
                                                  Action<int>? progress = null) =>
        HnswIndex<CosineDistance>.Build(vectors, dim, options, progress);

    /// <summary>Loads an index saved by <see cref="HnswIndex{T}.Save"/>, with the vectors it was built from.</summary>
    public static HnswIndex<CosineDistance> Load(string path, ReadOnlySpan<float> vectors, int dim) =>
        HnswFile.Read<CosineDistance>(path, vectors, dim);

    /// <summary>
    /// Starts compiling the search path in the background now (done anyway when an index is loaded or built): a
    /// program that reads its queries and vectors before loading the index calls this first, and its first query does
    /// not wait for the JIT.
    /// </summary>
    public static void PrepareSearch() => HnswIndex<CosineDistance>.PrepareSearch();
}

/// <summary>
/// Hierarchical navigable small world graph (Malkov &amp; Yashunin 2018) laid out as hnswlib lays it out: the
/// vectors in one pinned row-major array, layer 0 as fixed-size lists <c>[count, id…]</c> of 2·M links in one int
/// array, the upper layers likewise (M links) in a second one, a spin lock per node for the parallel build, and
/// pooled per-search scratch (visited marks with an epoch counter, heaps). Searches are safe from many threads.
/// This file holds the layout and the public operations; Algorithms 1, 2 and 4, the parallel build's threads and
/// lock protocol, and the integrity check are in the partial files.
/// </summary>
public sealed unsafe partial class HnswIndex<TDistance> : IVectorIndex where TDistance : struct, IDistance
{
    private readonly float[] _vectorData;   // pinned
    private readonly float* _vectors;
    private readonly int[] _levels;
    private readonly int[] _links0Data;     // pinned, Count × (MaxM0 + 1)
    private readonly int* _links0;
    private readonly int[] _upperOffsets;   // start of a node's layer-1 list in _upper, or -1
    private readonly int[] _upperData;      // pinned, Σ level × (M + 1)
    private readonly int* _upper;
    private readonly int[] _locks;
    private readonly Lock _globalLock = new();
    private readonly ConcurrentBag<SearchScratch> _scratch = new();
    private bool _concurrent;
    private int _entryPoint = -1;
    private int _maxLevel = -1;

    internal HnswIndex(float[] normalizedPinned, int dim, int m, int efConstruction, int seed, ulong vectorsChecksum,
                       int[] levels,
                       int[]? links0 = null, int[]? upper = null, int entryPoint = -1, int maxLevel = -1)
    {
        Dim = dim;
        Count = levels.Length;
        M = m;
        MaxM0 = 2 * m;
        EfConstruction = efConstruction;
        Seed = seed;
        VectorsChecksum = vectorsChecksum;
        _vectorData = normalizedPinned;
        _vectors = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(normalizedPinned));
        _levels = levels;
        _upperOffsets = new int[Count];
        long upperLength = 0;
        for (int i = 0; i < Count; i++)
        {
            _upperOffsets[i] = levels[i] > 0 ? checked((int)upperLength) : -1;
            upperLength += (long)levels[i] * (m + 1);
        }
        _links0Data = links0 ?? GC.AllocateArray<int>(checked(Count * (MaxM0 + 1)), pinned: true);
        _upperData = upper ?? GC.AllocateArray<int>(checked((int)upperLength), pinned: true);
        if (_links0Data.Length != (long)Count * (MaxM0 + 1) || _upperData.Length != upperLength)
            throw new InvalidDataException("the link arrays do not match the node levels");
        _links0 = (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_links0Data));
        _upper = (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_upperData));
        _locks = new int[Count];
        HugePages.Advise(_vectors, (long)_vectorData.Length * sizeof(float));
        HugePages.Advise(_links0, (long)_links0Data.Length * sizeof(int));
        PrepareSearch();
        _entryPoint = entryPoint;
        _maxLevel = maxLevel;
    }

    public int Count { get; }
    public int Dim { get; }
    public int M { get; }
    public int MaxM0 { get; }
    public int EfConstruction { get; }
    public int Seed { get; }
    /// <summary>The checksum of the vectors the graph was built from (as given, before normalising).</summary>
    public ulong VectorsChecksum { get; }
    public int EntryPoint => _entryPoint;
    public int MaxLevel => _maxLevel;
    /// <summary>The ef used by <see cref="Search(ReadOnlySpan{float}, int)"/>; at least k is always searched.</summary>
    public int DefaultEf { get; set; } = 64;
    /// <summary>Threads used by <see cref="SearchBatch(ReadOnlySpan{float}, int)"/> (−1: all cores).</summary>
    public int Threads { get; set; } = -1;

    internal float[] VectorData => _vectorData;
    internal int[] Levels => _levels;
    internal int[] Links0Data => _links0Data;
    internal int[] UpperData => _upperData;

    internal static HnswIndex<TDistance> Build(ReadOnlySpan<float> vectors, int dim, HnswOptions options,
                                              Action<int>? progress)
    {
        options.Validated();
        if (dim < 1) throw new ArgumentException($"dimension must be positive (got {dim})");
        if (vectors.Length % dim != 0) throw new ArgumentException($"{vectors.Length} values are not rows of {dim}");
        int count = vectors.Length / dim;
        var data = TDistance.Normalizes ? DotProduct.Normalized(vectors, dim) : PinnedCopy(vectors);
        var index = new HnswIndex<TDistance>(data, dim, options.M, options.EfConstruction, options.Seed,
                                             HnswFile.VectorsChecksum(vectors, dim), options.DrawLevels(count));
        index.InsertAll(Math.Min(options.Threads, Math.Max(1, count)), progress);
        return index;
    }

    internal static float[] PinnedCopy(ReadOnlySpan<float> vectors)
    {
        var data = GC.AllocateUninitializedArray<float>(Math.Max(vectors.Length, 1), pinned: true);
        vectors.CopyTo(data);
        return data;
    }

    /// <summary>Writes the graph (not the vectors) through a temporary file; see <see cref="HnswFile"/>.</summary>
    public void Save(string path) => HnswFile.Write(path, this, VectorsChecksum);

    public Neighbor[] Search(ReadOnlySpan<float> query, int k) => Search(query, k, DefaultEf);

    /// <summary>The k nearest by greedy descent through the upper layers and a layer-0 search with <paramref name="ef"/>.</summary>
    public Neighbor[] Search(ReadOnlySpan<float> query, int k, int ef) => Search(query, k, ef, default);

    /// <summary>
    /// As <see cref="Search(ReadOnlySpan{float}, int)"/>, the layer-0 search also entered at <paramref name="seeds"/>:
    /// words already known to be near the query (a decoder's best of its exactly scored frequent words). On a model's
    /// predictions at a million words, a hub-like query that the descent brings to the wrong part of the graph then still
    /// starts near its answer (RuleDecoder.cs has the figures).
    /// </summary>
    public Neighbor[] Search(ReadOnlySpan<float> query, int k, ReadOnlySpan<int> seeds) => Search(query, k, DefaultEf, seeds);

    /// <summary>As <see cref="Search(ReadOnlySpan{float}, int, ReadOnlySpan{int})"/> with <paramref name="ef"/>.</summary>
    public Neighbor[] Search(ReadOnlySpan<float> query, int k, int ef, ReadOnlySpan<int> seeds)
    {
        if (query.Length != Dim) throw new ArgumentException($"query has {query.Length} values, the index {Dim}");
        if (k < 1) throw new ArgumentException($"k must be at least 1 (got {k})");
        if (ef < 1) throw new ArgumentException($"ef must be at least 1 (got {ef})");
        if (Count == 0) return [];
        foreach (int seed in seeds)
            if ((uint)seed >= (uint)Count) throw new ArgumentException($"seed {seed} is not in 0..{Count - 1}");
        float* q = stackalloc float[Dim];
        var qs = new Span<float>(q, Dim);
        query.CopyTo(qs);
        if (TDistance.Normalizes) Embeddings.VectorMath.Normalize(qs);
        var scratch = RentScratch();
        try
        {
            int ep = _entryPoint;
            float epDist = TDistance.Distance(q, VectorPtr(ep), Dim);
            for (int level = _maxLevel; level > 0; level--) GreedyClosest(q, level, ref ep, ref epDist);
            SearchLayer(q, ep, epDist, Math.Max(ef, k), 0, scratch, seeds);
            var results = scratch.Results;
            if (scratch.Keys.Length < results.Count) scratch.Keys = new ulong[results.Count];
            int found = results.DrainNearestFirst(scratch.Keys);
            var hits = new Neighbor[Math.Min(k, found)];
            for (int i = 0; i < hits.Length; i++)
            {
                var c = CandidateKey.ToCandidate(scratch.Keys[i]);
                hits[i] = new Neighbor(c.Id, TDistance.ToSimilarity(c.Distance));
            }
            return hits;
        }
        finally { ReturnScratch(scratch); }
    }

    public Neighbor[][] SearchBatch(ReadOnlySpan<float> queries, int k) => SearchBatch(queries, k, DefaultEf, Threads);

    /// <summary>One search per row, rows spread over the cores.</summary>
    public Neighbor[][] SearchBatch(ReadOnlySpan<float> queries, int k, int ef, int threads = -1)
    {
        if (queries.Length % Dim != 0) throw new ArgumentException($"{queries.Length} values are not rows of {Dim}");
        int n = queries.Length / Dim;
        var results = new Neighbor[n][];
        if (threads == 1 || n == 1)   // no closure or copy (at ef 10 Parallel.For was a tenth of a query's time)
        {
            for (int i = 0; i < n; i++) results[i] = Search(queries.Slice(i * Dim, Dim), k, ef);
            return results;
        }
        var copy = queries.ToArray();
        ParallelRows.For(n, threads, i => results[i] = Search(copy.AsSpan(i * Dim, Dim), k, ef));
        return results;
    }

    /// <summary>The stored vector of <paramref name="id"/> (the normalised copy for a normalising distance).</summary>
    public ReadOnlySpan<float> Vector(int id)
    {
        if ((uint)id >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(id), $"id {id} is not in 0..{Count - 1}");
        return new ReadOnlySpan<float>(VectorPtr(id), Dim);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float* VectorPtr(int id) => _vectors + (long)id * Dim;

    /// <summary>The list <c>[count, id…]</c> of <paramref name="node"/> on <paramref name="level"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int* Links(int node, int level) => level == 0
        ? _links0 + (long)node * (MaxM0 + 1)
        : _upper + _upperOffsets[node] + (long)(level - 1) * (M + 1);

    internal Span<int> LinkList(int node, int level) =>
        new(Links(node, level), (level == 0 ? MaxM0 : M) + 1);

    internal int LevelOf(int node) => _levels[node];

    private static int _searchPrepared;

    /// <summary>
    /// Compiles the search path on a pool thread, once per process, while the index is still being loaded or built
    /// (or earlier: <see cref="HnswIndex.PrepareSearch"/>), so the first queries of a batch do not wait for the JIT:
    /// the loops (compiled at first call, not from the ReadyToRun image: HnswSearchLayer.cs), then one search of a
    /// two-node index (<see cref="WarmUp"/>) for all that a query calls besides (its normalising and first distance in
    /// another assembly, the results' sort). Through `neighbors --query-file` on Brown (5,000 queries at ef 10, one
    /// thread, 2026-12-04) the first query still took 7–10 ms of the batch's 50 with the loops alone compiled ahead,
    /// 0.4 ms with the warm-up search as well.
    /// </summary>
    internal static void PrepareSearch()
    {
        if (Interlocked.Exchange(ref _searchPrepared, 1) != 0) return;
        ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            try
            {
                foreach (var method in SearchLoops()) RuntimeHelpers.PrepareMethod(method.MethodHandle, [typeof(TDistance).TypeHandle]);
                WarmUp();
            }
            catch (Exception) { }   // only a head start: the first search compiles them otherwise
        }, null);
    }

    /// <summary>
    /// A search of a two-node index (unit vectors e0 and e1 at 64 dims, linked both ways) for e1, which answers
    /// [1, 0]: the whole query path run once, as <see cref="PrepareSearch"/> does in the background.
    /// </summary>
    internal static Neighbor[] WarmUp()
    {
        const int dim = 64, m = 2, width = 2 * m + 1;
        var rows = GC.AllocateArray<float>(2 * dim, pinned: true);
        rows[0] = 1;
        rows[dim + 1] = 1;
        var links = GC.AllocateArray<int>(2 * width, pinned: true);
        links[0] = 1; links[1] = 1;            // node 0: [1 link: node 1]
        links[width] = 1; links[width + 1] = 0;   // node 1: [1 link: node 0]
        var tiny = new HnswIndex<TDistance>(rows, dim, m, efConstruction: 10, seed: 0, vectorsChecksum: 0, levels: [0, 0],
                                            links, GC.AllocateArray<int>(0, pinned: true), entryPoint: 0, maxLevel: 0);
        return tiny.Search(rows.AsSpan(dim, dim), 2, 10);
    }

    /// <summary>The methods <see cref="PrepareSearch"/> compiles (a test checks that both are found).</summary>
    internal static MethodInfo[] SearchLoops() =>
        [.. ((string[])[nameof(SearchLayer), nameof(GreedyClosest)])
            .Select(name => typeof(HnswIndex<TDistance>).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Instance))
            .OfType<MethodInfo>()];

    private SearchScratch RentScratch() =>
        _scratch.TryTake(out var s) ? s : new SearchScratch(Count, MaxM0, EfConstruction);

    private void ReturnScratch(SearchScratch scratch) => _scratch.Add(scratch);

    /// <summary>Per-search working memory, pooled: the visited marks, the candidate and result heaps, buffers.</summary>
    private sealed class SearchScratch(int count, int maxM0, int ef)
    {
        public readonly VisitedList Visited = new(count);
        public readonly NodeHeap<NearestFirst> Candidates = NodeHeap.Nearest(ef);
        public readonly NodeHeap<FarthestFirst> Results = NodeHeap.Farthest(ef + 1);
        public readonly int[] Neighbors = new int[maxM0 + 1];
        public readonly int[] Unvisited = new int[maxM0 + 1];
        public readonly Candidate[] Sorted = new Candidate[Math.Max(ef, 2 * maxM0) + 1];
        public ulong[] Keys = new ulong[ef + 1];
        public readonly int[] Selected = new int[maxM0 + 1];
        public readonly int[] Pruned = new int[maxM0 + 1];
    }
}
