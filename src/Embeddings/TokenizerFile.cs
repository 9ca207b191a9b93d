using System.Text.Json;

namespace VecLm.Embeddings;

/// <summary>
/// The <c>.tokenizer.json</c> file beside vectors made from raw text (<c>embed --tokenize</c>): <c>v.bin</c>'s is
/// <c>v.tokenizer.json</c>, shared by a fastText <c>v.bin</c> and its <c>v.vec</c>. The word2vec formats have no room for
/// it, and a line in the <c>.vocab</c> would break word2vec's and gensim's readers of that file. It holds the
/// <see cref="TokenizerOptions"/> and the vocabulary it belongs to (the number of words and
/// <see cref="Vocabulary.Hash"/>), so one left beside other vectors is an error, not a silent mistake. No such file:
/// the vectors were made from pre-tokenised text, or elsewhere.
/// </summary>
/// <example><code>
/// {
///   "Tokenizer": { "Version": 1, "Lowercase": false },
///   "Words": 17715,
///   "VocabularyHash": "9c1e…"
/// }
/// </code></example>
internal static class TokenizerFile
{
    private sealed record Contents(TokenizerOptions? Tokenizer, int Words, string? VocabularyHash);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static string PathFor(string vectorsPath) => Path.ChangeExtension(vectorsPath, ".tokenizer.json");

    public static void Write(Stream stream, TokenizerOptions tokenizer, Vocabulary vocabulary) =>
        JsonSerializer.Serialize(stream, new Contents(tokenizer, vocabulary.Count, vocabulary.Hash()), Json);

    /// <summary>
    /// The tokenizer recorded in <paramref name="path"/>, or null if there is no such file; with
    /// <paramref name="vocabulary"/>, checked to belong to it. A file that is not such JSON, or belongs to other vectors,
    /// is an <see cref="InvalidDataException"/> naming it.
    /// </summary>
    public static TokenizerOptions? Read(string path, Vocabulary? vocabulary = null)
    {
        if (!File.Exists(path)) return null;
        Contents? contents;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > 1 << 16) throw new InvalidDataException($"{path}: {stream.Length:N0} bytes is not a tokenizer file");
            contents = JsonSerializer.Deserialize<Contents>(stream, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a tokenizer file: {VectorFile.OneLine(e.Message)}");
        }
        if (contents?.Tokenizer is null || contents.Words <= 0 || string.IsNullOrEmpty(contents.VocabularyHash))
            throw new InvalidDataException($"{path}: not a tokenizer file: Tokenizer, Words or VocabularyHash missing");
        if (contents.Tokenizer.Version is < 1 or > TokenizerOptions.CurrentVersion)
            throw new InvalidDataException(
                $"{path}: tokenizer version {contents.Tokenizer.Version}; this VecLm has version {TokenizerOptions.CurrentVersion} (a newer VecLm made it?)");
        if (vocabulary is not null && (contents.Words != vocabulary.Count || contents.VocabularyHash != vocabulary.Hash()))
            throw new InvalidDataException(
                $"{path} belongs to other vectors ({contents.Words:N0} words, not {vocabulary.Count:N0}, or other words): " +
                "remove it if these vectors were made from pre-tokenised text, or make them again");
        return contents.Tokenizer;
    }
}
