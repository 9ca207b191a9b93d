using VecLm.Embeddings;

namespace VecLm.Cli;

/// <summary>Loads a vectors file for a command, with a warning when some of its vectors hold NaN or infinity.</summary>
public static class VectorsInput
{
    public static WordVectors Load(string path)
    {
        var words = WordVectors.Load(path);
        var bad = words.NonFiniteIds();
        if (bad.Length > 0)
            CliRunner.Warn($"{path}: {bad.Length} word vector{(bad.Length == 1 ? " holds" : "s hold")} NaN or infinity (first: "
                           + $"'{VectorFile.Excerpt(words.Vocabulary[bad[0]])}'), a damaged file? Their cosines are meaningless");
        return words;
    }
}
