using System.IO.Hashing;
using System.Runtime.InteropServices;
using VecLm.Embeddings;
using VecLm.Embeddings.FastText;

namespace VecLm.Regressor;

/// <summary>
/// A decode vocabulary apart from the training vocabulary (<c>--decode-vocab</c>): the words a regression model's
/// outputs are decoded to. A continuous-output model predicts a point, so any word with a vector can be the answer:
/// the vectors come from a subword model (fastText <c>.bin</c>: any string has one) or are looked up in a vectors
/// file (words it lacks are left out and counted). Swapping it needs no retraining: the targets are the same
/// post-processing of other words' vectors.
/// </summary>
public sealed class DecodeVocabulary
{
    private DecodeVocabulary(string path, WordVectors vectors, int[] modelIds, int missing)
    {
        Path = path;
        Vectors = vectors;
        ModelIds = modelIds;
        Missing = missing;
    }

    /// <summary>The word list it was read from.</summary>
    public string Path { get; }
    /// <summary>The words (in the list's order, those with a vector) and their raw vectors; counts are 0.</summary>
    public WordVectors Vectors { get; }
    public int Count => Vectors.Count;
    /// <summary>For each decode word, its id in the model's vocabulary, or -1 when the model never had it.</summary>
    public int[] ModelIds { get; }
    /// <summary>Words of the list left out because the vectors file has no vector for them.</summary>
    public int Missing { get; }
    public string this[int id] => Vectors.Vocabulary[id];

    /// <summary>
    /// Reads a word list (one word per line, UTF-8) and gives each word a vector from <paramref name="vectorsPath"/>;
    /// the model's sentence end (<c>&lt;/s&gt;</c>) is added when the list lacks it and the vectors have it.
    /// Bad input — an empty line, a word with white space in it, a word twice, no word at all or none with a vector —
    /// is a <see cref="BadInputException"/> naming the file and the line.
    /// </summary>
    public static DecodeVocabulary Load(string wordsPath, string vectorsPath, Vocabulary model)
    {
        var words = ReadWords(wordsPath);
        int listed = words.Count;
        // The sentence end is not a word of anyone's list, yet the model predicts it at every sentence's end (4 % of
        // Brown's tokens): without it, each of those positions is lost.
        if (model.EndOfSentenceId >= 0 && !words.Contains(Vocabulary.EndOfSentence)) words.Add(Vocabulary.EndOfSentence);
        var (kept, data, dim) = VectorsFor(words, vectorsPath);
        bool added = words.Count > listed;
        int missing = listed - kept.Count + (added && kept.Count > 0 && kept[^1] == Vocabulary.EndOfSentence ? 1 : 0);
        if (missing == listed)
            throw new BadInputException($"{wordsPath}: no word of the decode vocabulary has a vector in {vectorsPath}");
        var vectors = new WordVectors(new Vocabulary(kept, new long[kept.Count]), dim, data, hasCounts: false);
        var ids = kept.Select(w => model.TryGetId(w, out int id) && id != model.UnknownId ? id : -1).ToArray();
        return new DecodeVocabulary(wordsPath, vectors, ids, missing);
    }

    /// <summary>The words of a decode-vocabulary file, checked (see <see cref="Load"/>).</summary>
    public static List<string> ReadWords(string path)
    {
        if (!File.Exists(path)) throw new BadInputException($"decode vocabulary not found: {path}");
        var words = new List<string>();
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var reader = new Utf8LineReader(stream, path);
        string? line;
        int number = 0, blank = 0;   // blank lines are allowed at the end only
        try
        {
            while ((line = reader.ReadLine()) is not null)
            {
                number++;
                if (line.Length == 0) { if (blank == 0) blank = number; continue; }
                if (blank > 0) throw new BadInputException($"{path}: line {blank} is empty (one word per line)");
                if (line.Any(char.IsWhiteSpace))
                    throw new BadInputException($"{path}: line {number} holds white space ('{VectorFile.Excerpt(line)}'): one word per line");
                if (!lines.TryAdd(line, number))
                    throw new BadInputException($"{path}: the word '{VectorFile.Excerpt(line)}' is on lines {lines[line]} and {number}");
                words.Add(line);
            }
        }
        catch (InvalidDataException e) { throw new BadInputException(e.Message); }
        if (words.Count == 0) throw new BadInputException($"{path}: the decode vocabulary has no words");
        return words;
    }

    /// <summary>A hash of the words and their vectors: the key of the cached HNSW index over them.</summary>
    public string ContentHash()
    {
        var hash = new XxHash3();
        foreach (var word in Vectors.Vocabulary.Words) { hash.Append(System.Text.Encoding.UTF8.GetBytes(word)); hash.Append([0]); }
        hash.Append(MemoryMarshal.AsBytes(Vectors.Data.AsSpan()));
        return Convert.ToHexStringLower(hash.GetCurrentHash());
    }

    private static bool IsFastText(string path)
    {
        if (!VectorFormats.Exists(path)) throw new FileNotFoundException($"vectors file not found: {path}", path);
        return VectorFormats.Detect(path) == VectorFormat.FastText;
    }

    private static (List<string> Kept, float[] Data, int Dim) VectorsFor(List<string> words, string vectorsPath)
    {
        if (IsFastText(vectorsPath))
        {
            var subwords = FastTextBinary.Read(vectorsPath, withOutput: false);
            var all = subwords.WordVectors(words, new long[words.Count]);
            return (words, all.Data, all.Dim);
        }
        var vectors = WordVectors.Load(vectorsPath);
        var kept = words.Where(vectors.Vocabulary.Contains).ToList();
        var data = new float[(long)kept.Count * vectors.Dim];
        for (int i = 0; i < kept.Count; i++) vectors[kept[i]].CopyTo(data.AsSpan(i * vectors.Dim, vectors.Dim));
        return (kept, data, vectors.Dim);
    }
}
