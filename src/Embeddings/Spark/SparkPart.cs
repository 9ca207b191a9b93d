using Parquet;
using Parquet.Meta;
using Parquet.Schema;

namespace VecLm.Embeddings.Spark;

/// <summary>
/// One Parquet part file of a Spark Word2VecModel's <c>data/</c> (<see cref="SparkModel"/>), read with Parquet.Net's
/// low-level column API: each column's values with their definition and repetition levels, from which the rows are put
/// together here, so that a null word, a null or short vector, or a null in one is found and named by its row. Words
/// are read as bytes and decoded as strict UTF-8 (Parquet.Net's strings would replace invalid bytes). Whatever
/// Parquet.Net throws on a file it cannot read becomes an <see cref="InvalidDataException"/> naming the file.
/// </summary>
internal sealed class SparkPart : IAsyncDisposable
{
    private readonly ParquetReader reader;
    /// <summary>The columns read: the vector leaf is the file's own; the string ones are made here to read bytes.</summary>
    private readonly DataField word = null!, vector, key = null!, value = null!;
    private readonly bool vectorNullable;

    private SparkPart(string path, ParquetReader reader)
    {
        Path = path;
        this.reader = reader;
        var fields = reader.Schema.Fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        if (fields.TryGetValue("word", out var w) && fields.TryGetValue("vector", out var v))
        {
            if (w is not DataField { MaxRepetitionLevel: 0 } wf || !IsString(wf)) throw Wrong("its word column is not of strings");
            word = new DataField<byte[]>("word", wf.IsNullable);
            _ = new ParquetSchema(word);   // gives the field its levels
            (vector, vectorNullable) = (FloatList(v, "vector"), v.IsNullable);
        }
        else if (fields.TryGetValue("wordIndex", out var index) && fields.TryGetValue("wordVectors", out var vectors))
        {
            IndexLayout = true;
            if (index is not MapField { Key: DataField k, Value: DataField val } || !IsString(k) || val.ClrType != typeof(int))
                throw Wrong("its wordIndex column is not a map<string,int>");
            var map = new MapField("wordIndex", new DataField<byte[]>("key", false), new DataField<int>("value", false));
            _ = new ParquetSchema(map);
            (key, value) = ((DataField)map.Key, (DataField)map.Value);
            vector = FloatList(vectors, "wordVectors");
        }
        else
            throw Wrong($"its columns are ({string.Join(", ", fields.Keys)}), where Spark writes (word, vector), or "
                        + "(wordIndex, wordVectors) before 2.2");
        foreach (var group in reader.RowGroups)
        {
            Rows += group.RowCount;
            Words += IndexLayout ? Chunk(group, key).NumValues : group.RowCount;
        }
    }

    public string Path { get; }
    /// <summary>Spark 2.0/2.1's layout: one row of (wordIndex, wordVectors); else a row per word.</summary>
    public bool IndexLayout { get; }
    public long Rows { get; }
    /// <summary>The words the file holds by its metadata (nothing read yet): its rows, or its wordIndex's entries.</summary>
    public long Words { get; }

    public static async Task<SparkPart> OpenAsync(string path)
    {
        ParquetReader reader;
        try { reader = await ParquetReader.CreateAsync(path); }
        catch (Exception e) when (IsDamage(e)) { throw Damaged(path, e); }
        try { return new SparkPart(path, reader); }
        catch (Exception e)
        {
            await reader.DisposeAsync();
            if (e is InvalidDataException || !IsDamage(e)) throw;
            throw Damaged(path, e);
        }
    }

    public ValueTask DisposeAsync() => reader.DisposeAsync();

    /// <summary>
    /// The new layout's rows, in the file's order: each word into <paramref name="words"/> and its vector, which must
    /// have <paramref name="dim"/> values, into <paramref name="data"/>, from row <paramref name="first"/> on.
    /// </summary>
    public async Task ReadRowsAsync(int dim, string[] words, float[] data, int first)
    {
        int done = 0;
        foreach (var group in reader.RowGroups)
        {
            int rows = checked((int)group.RowCount);
            var bytes = new byte[]?[rows];
            await Read(group, word, () => group.ReadAsync(word, bytes));
            var (values, definitions, repetitions) = await ReadRaw<float>(group, vector, (long)rows * (dim + 1), $"{rows:N0} rows of vectorSize {dim}");
            int v = 0, row = -1, length = 0;
            for (int e = 0; e < definitions.Length; e++)
            {
                if (repetitions[e] == 0 || row < 0)
                {
                    if (row >= 0 && length != dim) throw Bad(done + row, bytes[row], $"its vector has {length} values, vectorSize is {dim}");
                    if (++row == rows) throw Bad(done + row, null, $"more vectors than the {rows} rows of its row group (a damaged file)");
                    length = 0;
                }
                int d = definitions[e];
                if (d == vector.MaxDefinitionLevel)
                {
                    if (length < dim) data[(long)(first + done + row) * dim + length] = values[v];
                    length++;
                    v++;
                }
                else if (vector.IsNullable && d == vector.MaxDefinitionLevel - 1) throw Bad(done + row, bytes[row], "its vector holds a null");
                else throw Bad(done + row, bytes[row], d == 0 && vectorNullable ? "its vector is null" : "its vector is empty");
            }
            if (row >= 0 && length != dim) throw Bad(done + row, bytes[row], $"its vector has {length} values, vectorSize is {dim}");
            if (row + 1 != rows) throw Bad(done + row + 1, null, $"no vector: {rows} rows, {row + 1} vectors (a damaged file)");
            for (int r = 0; r < rows; r++)
                words[first + done + r] = bytes[r] is { } b ? VectorFile.Decode(b, Path, $"row {done + r + 1}'s word") : throw Bad(done + r, null, "its word is null");
            done += rows;
        }
    }

    /// <summary>
    /// The old layout's one row: the words of its wordIndex, each word's index, and wordVectors, which must hold
    /// <paramref name="dim"/> values for each word (word i's at i·dim).
    /// </summary>
    public async Task<(string[] Words, int[] Ids, float[] Values)> ReadIndexAsync(int dim)
    {
        var group = reader.RowGroups.First(g => g.RowCount > 0);
        long n = Chunk(group, key).NumValues;
        var (keys, keyLevels, _) = await ReadRaw<ReadOnlyMemory<byte>>(group, key, n, $"{n:N0} words");
        var (ids, idLevels, _) = await ReadRaw<int>(group, value, n, $"{n:N0} words");
        if (n == 0 || keyLevels.Concat(idLevels).Any(d => d != key.MaxDefinitionLevel))
            throw new InvalidDataException($"{Path}: its wordIndex is null, empty or holds a null (a damaged file)");
        var (values, levels, _) = await ReadRaw<float>(group, vector, n * dim + 1, $"{n:N0} words of vectorSize {dim}");
        if (levels.Any(d => d != vector.MaxDefinitionLevel))
            throw new InvalidDataException($"{Path}: its wordVectors is null, empty or holds a null (a damaged file)");
        if (values.Length != n * dim)
            throw new InvalidDataException($"{Path}: wordVectors holds {values.Length:N0} values; its {n:N0} words of vectorSize {dim} "
                                           + $"need {n * dim:N0}");
        var words = new string[n];
        for (int i = 0; i < n; i++) words[i] = VectorFile.Decode(keys[i].Span, Path, $"wordIndex entry {i + 1}");
        return (words, ids, values);
    }

    /// <summary>A leaf column's values (the defined ones, first) and levels, once its count is within reason.</summary>
    private async Task<(T[] Values, int[] Definitions, int[] Repetitions)> ReadRaw<T>(ParquetRowGroupReader group, DataField field,
        long maxValues, string expected) where T : struct
    {
        long n = Chunk(group, field).NumValues;
        if (n < 0 || n > maxValues)
            throw new InvalidDataException($"{Path}: {n:N0} values in its {field.Path} column for {expected} (a damaged file?)");
        var (values, definitions, repetitions) = (new T[n], new int[n], new int[n]);
        await Read(group, field, () => group.ReadRawAsync(field, values.AsMemory(), definitions.AsMemory(), repetitions.AsMemory()));
        int defined = definitions.Count(d => d == field.MaxDefinitionLevel);
        return (values[..defined], definitions, repetitions);
    }

    private async Task Read(ParquetRowGroupReader group, DataField field, Func<ValueTask> read)
    {
        try { await read(); }
        catch (NotImplementedException) when (Chunk(group, field).EncodingStats?.Any(s => s.PageType == PageType.DATA_PAGE_V2) == true)
        {
            throw new InvalidDataException($"{Path}: written with Parquet's data page v2, which Parquet.Net cannot read in a "
                + "nested column yet: have Spark save the model with its default parquet.writer.version (v1)");
        }
        catch (Exception e) when (IsDamage(e)) { throw Damaged(Path, e); }
    }

    private ColumnMetaData Chunk(ParquetRowGroupReader group, DataField field) =>
        group.GetMetadata(field)?.MetaData ?? throw new InvalidDataException($"{Path}: no {field.Path} column in a row group (a damaged file)");

    private static bool IsString(DataField field) => field.ClrType == typeof(ReadOnlyMemory<char>) || field.ClrType == typeof(string);

    /// <summary>The leaf of an array&lt;float&gt; column (a list of floats), as Spark's <c>vector</c> and <c>wordVectors</c>.</summary>
    private DataField FloatList(Field field, string name) => field is ListField { Item: DataField item }
        ? item.ClrType == typeof(float) ? item : throw Wrong($"its {name} column holds {item.ClrType.Name}, where Spark writes array<float>")
        : throw Wrong($"its {name} column is not an array, where Spark writes array<float>");

    private InvalidDataException Wrong(string what) => new($"{Path}: not a Spark Word2VecModel's data: {what}");

    private InvalidDataException Bad(int row, byte[]? word, string what)
    {
        string which = word is null ? "" : $" ('{VectorFile.Excerpt(System.Text.Encoding.UTF8.GetString(word))}')";
        return new($"{Path}: row {row + 1:N0}{which}: {what}");
    }

    /// <summary>What a reader of a damaged file may throw, as against running out of memory or being stopped.</summary>
    private static bool IsDamage(Exception e) => e is not (OutOfMemoryException or OperationCanceledException);

    private static InvalidDataException Damaged(string path, Exception e) =>
        new($"{path}: a damaged or truncated Parquet file, or one Parquet.Net cannot read ({e.GetType().Name}: {VectorFile.OneLine(e.Message)})", e);
}
