using VecLm.Embeddings;

namespace VecLm.Evaluation;

/// <summary>
/// Splits the vocabulary by training frequency: the 100 most frequent words, the next 900, the rest, and
/// <c>&lt;unk&gt;</c> on its own (it stands for every rare word, so it is neither frequent nor rare).
/// </summary>
public sealed class FrequencyBands
{
    public static readonly string[] Names = ["top100", "next900", "rest", "unk"];
    private readonly byte[] _band;

    public FrequencyBands(Vocabulary vocabulary)
    {
        _band = new byte[vocabulary.Count];
        var byCount = Enumerable.Range(0, vocabulary.Count)
            .Where(i => i != vocabulary.UnknownId)
            .OrderByDescending(i => vocabulary.Counts[i]).ThenBy(i => i)
            .ToArray();
        for (int rank = 0; rank < byCount.Length; rank++)
            _band[byCount[rank]] = (byte)(rank < 100 ? 0 : rank < 1000 ? 1 : 2);
        if (vocabulary.UnknownId >= 0) _band[vocabulary.UnknownId] = 3;
    }

    /// <summary>The band of a word id: an index into <see cref="Names"/>.</summary>
    public int Of(int id) => _band[id];
}
