namespace VecLm.Embeddings;

/// <summary>
/// The words of a corpus with their counts. Id 0 is <c>&lt;/s&gt;</c> (as in word2vec C), the rest are sorted by
/// count, most frequent first, ties by ordinal order. Words under the minimum count are not dropped: they are
/// merged into <c>&lt;unk&gt;</c>, which is a word like any other, so every corpus position has a token.
/// </summary>
public sealed class Vocabulary
{
    public const string EndOfSentence = "</s>";
    public const string Unknown = "<unk>";

    private readonly string[] _words;
    private readonly long[] _counts;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _spanIds;

    public Vocabulary(IReadOnlyList<string> words, IReadOnlyList<long> counts)
    {
        if (words.Count != counts.Count)
            throw new ArgumentException($"{words.Count} words but {counts.Count} counts.");
        _words = words.ToArray();
        _counts = counts.ToArray();
        _ids = new Dictionary<string, int>(_words.Length, StringComparer.Ordinal);
        for (int i = 0; i < _words.Length; i++)
            if (!_ids.TryAdd(_words[i], i))
                throw new InvalidDataException($"the word '{_words[i]}' appears twice in the vocabulary");
        _spanIds = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        TotalCount = _counts.Sum();
    }

    public int Count => _words.Length;
    public IReadOnlyList<string> Words => _words;
    public ReadOnlySpan<long> Counts => _counts;
    public long TotalCount { get; }
    public string this[int id] => _words[id];

    /// <summary>Id of <c>&lt;unk&gt;</c>, or -1 when every corpus word reached the minimum count.</summary>
    public int UnknownId => _ids.GetValueOrDefault(Unknown, -1);
    public int EndOfSentenceId => _ids.GetValueOrDefault(EndOfSentence, -1);

    public bool TryGetId(string word, out int id) => _ids.TryGetValue(word, out id);
    public bool TryGetId(ReadOnlySpan<char> word, out int id) => _spanIds.TryGetValue(word, out id);

    /// <summary>The word's id, or <see cref="UnknownId"/> (-1 if there is none) for a word not in the vocabulary.</summary>
    public int IdOrUnknown(ReadOnlySpan<char> word) => _spanIds.TryGetValue(word, out int id) ? id : UnknownId;

    public bool Contains(string word) => _ids.ContainsKey(word);

    /// <summary>SHA-256 of the words in id order, each followed by a newline, in lowercase hex: the vocabulary's identity.</summary>
    public string Hash()
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var word in _words) sha.AppendData(System.Text.Encoding.UTF8.GetBytes(word + "\n"));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>
    /// Orders raw counts as word2vec does: <c>&lt;/s&gt;</c> first, then by count descending (ties ordinal);
    /// words under <paramref name="minCount"/> are summed into <c>&lt;unk&gt;</c>.
    /// </summary>
    public static Vocabulary FromCounts(IReadOnlyDictionary<string, long> counts, int minCount)
    {
        long unknown = counts.GetValueOrDefault(Unknown);
        var kept = new List<KeyValuePair<string, long>>();
        foreach (var kv in counts)
        {
            if (kv.Key == EndOfSentence || kv.Key == Unknown) continue;
            if (kv.Value >= minCount) kept.Add(kv);
            else unknown += kv.Value;
        }
        if (kept.Count == 0)
            throw new InvalidDataException($"no word occurs at least {minCount} times (--min-count)");
        if (unknown > 0) kept.Add(new(Unknown, unknown));
        kept.Sort((a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
        var words = new List<string>(kept.Count + 1);
        var values = new List<long>(kept.Count + 1);
        long eos = counts.GetValueOrDefault(EndOfSentence);
        if (eos > 0) { words.Add(EndOfSentence); values.Add(eos); }
        foreach (var kv in kept) { words.Add(kv.Key); values.Add(kv.Value); }
        return new Vocabulary(words, values);
    }

    /// <summary>
    /// Counts every token of the corpus (one streaming pass; with several threads each counts its own byte range, as
    /// the trainers read the corpus, and the counts are summed) and builds the vocabulary.
    /// </summary>
    public static Vocabulary Build(Corpus corpus, int minCount, int threads = 1)
    {
        threads = (int)Math.Clamp(Math.Min(threads, corpus.Length / (1 << 20) + 1), 1, 64);
        var parts = new Dictionary<string, long>[threads];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
            t => parts[t] = CountRange(corpus, corpus.Length * t / threads, corpus.Length * (t + 1) / threads));
        var counts = parts[0];
        foreach (var part in parts.Skip(1))
            foreach (var (word, count) in part)
                counts[word] = counts.GetValueOrDefault(word) + count;
        if (counts.Count == 0) throw new InvalidDataException($"the corpus '{corpus.Path}' has no tokens");
        return FromCounts(counts, minCount);
    }

    private static Dictionary<string, long> CountRange(Corpus corpus, long start, long end)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var line in corpus.Lines(start, end))
        {
            foreach (var range in Corpus.Tokens(line.Span))
            {
                ref long c = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(lookup, line.Span[range], out _);
                c++;
            }
            ref long e = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(lookup, EndOfSentence, out _);
            e++;
        }
        return counts;
    }
}
