using System.Text.Json;

namespace VecLm.Embeddings.Spark;

/// <summary>
/// A Spark MLlib Word2VecModel folder, as <c>org.apache.spark.ml.feature.Word2VecModel.save</c> writes it
/// (Spark's ml/util/ReadWrite.scala, ml/feature/Word2Vec.scala): <c>metadata/part-00000</c>, one JSON line naming the
/// class and its params (<c>vectorSize</c> in <c>paramMap</c>, else <c>defaultParamMap</c>), and <c>data/</c>, Parquet
/// part files (<see cref="SparkPart"/>; names starting with '_' or '.' are Hadoop's markers and checksums, skipped).
/// Since Spark 2.2 a row per word, <c>(word string, vector array&lt;float&gt;)</c>, in no particular order, across
/// several parts; Spark 2.0 and 2.1 wrote one row, <c>(wordIndex map&lt;string,int&gt;, wordVectors
/// array&lt;float&gt;)</c>, word i's vector at i·vectorSize. The RDD API's
/// <c>org.apache.spark.mllib.feature.Word2VecModel</c> (metadata: vectorSize, numWords) writes rows of the first kind and
/// is read too. Spark keeps no counts.
/// <para>
/// The words' order: the part files' in name order (Spark numbers them: part-00000, part-00001, …) and each file's rows
/// in order; in the old layout, the index's (Spark's, most frequent first). With counts (the <c>.vocab</c> file beside
/// the folder, <see cref="WordVectors.VocabPathFor"/>), <see cref="SortByCount"/> puts the words most frequent first.
/// </para>
/// </summary>
public static class SparkModel
{
    public const string MlClass = "org.apache.spark.ml.feature.Word2VecModel";
    public const string MllibClass = "org.apache.spark.mllib.feature.Word2VecModel";
    private const long MaxMetadataBytes = 1 << 20;

    /// <summary>
    /// The words and vectors of the folder. Every problem — a part missing, metadata of another model, a vector
    /// of another size than vectorSize, a null, a word twice, a damaged Parquet file — is an
    /// <see cref="InvalidDataException"/> whose one line names the folder or the file within it.
    /// </summary>
    public static (string[] Words, int Dim, float[] Data) Read(string folder)
    {
        var (dim, numWords) = ReadMetadata(folder);
        var (words, data) = Task.Run(() => ReadDataAsync(folder, dim, numWords)).GetAwaiter().GetResult();
        return (words, dim, data);
    }

    /// <summary>The files of a Hadoop output folder that hold data: not '_SUCCESS', not '.part-….crc'; by name.</summary>
    private static string[] PartFiles(string dir) => Directory.EnumerateFiles(dir)
        .Where(f => Path.GetFileName(f) is var name && !name.StartsWith('_') && !name.StartsWith('.'))
        .Order(StringComparer.Ordinal).ToArray();

    private static (int Dim, long? NumWords) ReadMetadata(string folder)
    {
        string dir = Path.Combine(folder, "metadata");
        if (!Directory.Exists(dir))
            throw new InvalidDataException(Directory.Exists(Path.Combine(folder, "data"))
                ? $"{folder}: no metadata/ folder beside data/: copy the whole folder Spark saved"
                : $"{folder}: a folder, and not a Spark Word2VecModel (no metadata/ and data/ in it); the vectors VecLm reads "
                  + "from a folder are Spark's, from a file word2vec's, fastText's or GloVe's");
        string file = PartFiles(dir).FirstOrDefault()
            ?? throw new InvalidDataException($"{dir}: no part-00000: Spark's metadata file is missing");
        var length = new FileInfo(file).Length;
        if (length > MaxMetadataBytes)
            throw new InvalidDataException($"{file}: {length:N0} bytes, too long for Spark's metadata (one JSON line)");
        string? line;
        using (var stream = File.OpenRead(file)) line = new Utf8LineReader(stream, file).ReadLine();
        JsonElement root;
        try { root = JsonDocument.Parse(line ?? "").RootElement; }
        catch (JsonException e) { throw new InvalidDataException($"{file}: not Spark's metadata (one JSON line): {VectorFile.OneLine(e.Message)}"); }
        string? kind = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("class", out var c) && c.ValueKind == JsonValueKind.String
            ? c.GetString() : null;
        JsonElement? size = kind switch
        {
            MlClass => Param(root, "paramMap") ?? Param(root, "defaultParamMap"),
            MllibClass => root.TryGetProperty("vectorSize", out var s) ? s : null,
            _ => throw new InvalidDataException($"{file}: the metadata of a {kind ?? "(no class)"}, not of a Word2VecModel: "
                                                + $"VecLm reads the vectors of a folder that {MlClass}.save wrote"),
        };
        if (size is not { ValueKind: JsonValueKind.Number } sv || !sv.TryGetInt32(out int dim) || dim < 1)
            throw new InvalidDataException($"{file}: vectorSize is {(size is { } x ? x.GetRawText() : "missing")}, not a positive integer");
        long? numWords = kind == MllibClass && root.TryGetProperty("numWords", out var nw) && nw.TryGetInt64(out long n) ? n : null;
        return (dim, numWords);
    }

    private static JsonElement? Param(JsonElement root, string map) =>
        root.TryGetProperty(map, out var m) && m.ValueKind == JsonValueKind.Object && m.TryGetProperty("vectorSize", out var v) ? v : null;

    private static async Task<(string[] Words, float[] Data)> ReadDataAsync(string folder, int dim, long? numWords)
    {
        string dir = Path.Combine(folder, "data");
        if (!Directory.Exists(dir)) throw new InvalidDataException($"{folder}: no data/ folder beside metadata/: copy the whole folder Spark saved");
        var files = PartFiles(dir);
        if (files.Length == 0)
            throw new InvalidDataException($"{dir}: no part files (names starting with '_' or '.' are Hadoop's markers and checksums)");
        var parts = new List<SparkPart>();
        try
        {
            foreach (var file in files) parts.Add(await SparkPart.OpenAsync(file));
            if (parts.FirstOrDefault(p => p.IndexLayout != parts[0].IndexLayout) is { } other)
                throw new InvalidDataException($"{dir}: part files of both of Spark's layouts ({Name(folder, parts[0].Path)} and "
                                               + $"{Name(folder, other.Path)}): two models' data in one folder?");
            long count = parts.Sum(p => p.Words);
            if (count == 0) throw new InvalidDataException($"{dir}: its part files hold no words");
            if (numWords is { } expected && expected != count)
                throw new InvalidDataException($"{folder}: the metadata says {expected:N0} words, data/ holds {count:N0}");
            VectorFile.CheckTable(folder, count, dim);
            return parts[0].IndexLayout ? await ReadIndexAsync(folder, parts, dim) : await ReadRowsAsync(folder, parts, dim, count);
        }
        finally
        {
            foreach (var part in parts) await part.DisposeAsync();
        }
    }

    private static async Task<(string[] Words, float[] Data)> ReadRowsAsync(string folder, List<SparkPart> parts, int dim, long count)
    {
        var words = new string[count];
        var data = new float[count * dim];
        int at = 0;
        foreach (var part in parts)
        {
            await part.ReadRowsAsync(dim, words, data, at);
            at += (int)part.Rows;
        }
        CheckUnique(folder, words, i =>
        {
            int first = 0;
            foreach (var part in parts)
            {
                if (i < first + part.Rows) return $"{Name(folder, part.Path)} row {i - first + 1:N0}";
                first += (int)part.Rows;
            }
            return $"row {i + 1:N0}";
        });
        return (words, data);
    }

    private static async Task<(string[] Words, float[] Data)> ReadIndexAsync(string folder, List<SparkPart> parts, int dim)
    {
        long rows = parts.Sum(p => p.Rows);
        if (rows != 1)
            throw new InvalidDataException($"{Path.Combine(folder, "data")}: {rows:N0} rows of (wordIndex, wordVectors), where Spark 2.0 and 2.1 wrote one");
        var part = parts.First(p => p.Rows == 1);
        var (keys, ids, values) = await part.ReadIndexAsync(dim);
        CheckUnique(folder, keys, i => $"{Name(folder, part.Path)} wordIndex entry {i + 1:N0}");
        var words = new string[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            if (ids[i] < 0 || ids[i] >= keys.Length)
                throw new InvalidDataException($"{part.Path}: wordIndex gives '{VectorFile.Excerpt(keys[i])}' the index {ids[i]}, "
                                               + $"outside 0..{keys.Length - 1} (a damaged file)");
            if (words[ids[i]] is { } taken)
                throw new InvalidDataException($"{part.Path}: wordIndex gives '{VectorFile.Excerpt(taken)}' and "
                                               + $"'{VectorFile.Excerpt(keys[i])}' the same index {ids[i]} (a damaged file)");
            words[ids[i]] = keys[i];
        }
        return (words, values);
    }

    private static void CheckUnique(string folder, string[] words, Func<int, string> where)
    {
        var seen = new Dictionary<string, int>(words.Length, StringComparer.Ordinal);
        for (int i = 0; i < words.Length; i++)
            if (!seen.TryAdd(words[i], i))
                throw new InvalidDataException($"{folder}: the word '{VectorFile.Excerpt(words[i])}' is there twice ({where(seen[words[i]])}, "
                                               + $"{where(i)}), where a model has each word once: data of two models in one folder?");
    }

    private static string Name(string folder, string path) => Path.GetRelativePath(folder, path);

    /// <summary>
    /// Puts the words most frequent first by <paramref name="counts"/> (ties keep their order), with their counts and
    /// their rows of <paramref name="data"/>, in place: the table is moved row by row along the permutation's cycles,
    /// never copied whole.
    /// </summary>
    public static void SortByCount(string[] words, long[] counts, float[] data, int dim)
    {
        var order = Enumerable.Range(0, words.Length).OrderByDescending(i => counts[i]).ToArray();
        var (oldWords, oldCounts) = ((string[])words.Clone(), (long[])counts.Clone());
        var row = new float[dim];
        var done = new bool[words.Length];
        for (int start = 0; start < order.Length; start++)
        {
            words[start] = oldWords[order[start]];
            counts[start] = oldCounts[order[start]];
            if (done[start]) continue;
            data.AsSpan(start * dim, dim).CopyTo(row);
            int at = start;
            while (true)
            {
                done[at] = true;
                int from = order[at];
                if (from == start)
                {
                    row.CopyTo(data.AsSpan(at * dim, dim));
                    break;
                }
                data.AsSpan(from * dim, dim).CopyTo(data.AsSpan(at * dim, dim));
                at = from;
            }
        }
    }
}
