using VecLm.Embeddings;
using VecLm.Embeddings.FastText;

namespace VecLm.Cli;

/// <summary>Loads a vectors file for a command, with a warning when some of its vectors hold NaN or infinity.</summary>
public static class VectorsInput
{
    public static WordVectors Load(string path) => Checked(path, WordVectors.Load(path));

    /// <summary>
    /// As <see cref="Load"/>, and for a fastText <c>.bin</c> also its model, whose n-grams give a vector to words that are
    /// not in its dictionary (null for word2vec files).
    /// </summary>
    public static (WordVectors Words, SubwordModel? Subwords) LoadWithSubwords(string path)
    {
        if (!VectorFormats.Exists(path) || VectorFormats.Detect(path) != VectorFormat.FastText) return (Load(path), null);
        var model = FastTextBinary.Read(path, withOutput: false);
        return (Checked(path, model.WordVectors()), model);
    }

    private static WordVectors Checked(string path, WordVectors words)
    {
        var bad = words.NonFiniteIds();
        if (bad.Length > 0)
            CliRunner.Warn($"{path}: {bad.Length} word vector{(bad.Length == 1 ? " holds" : "s hold")} NaN or infinity (first: "
                           + $"'{VectorFile.Excerpt(words.Vocabulary[bad[0]])}'), a damaged file? Their cosines are meaningless");
        return words;
    }
}
