using VecLm.Embeddings;

namespace VecLm.Decoder.Tests;

public sealed class WordDecoderTests
{
    // A toy space where king − man + woman lands on queen: (royal, male, female, other).
    private static readonly string[] Words = ["king", "queen", "man", "woman", "apple", "prince"];
    private static readonly float[] Data =
    [
        1.0f, 1.0f, 0.0f, 0.1f,
        1.0f, 0.0f, 1.0f, 0.1f,
        0.0f, 1.0f, 0.0f, 0.1f,
        0.0f, 0.0f, 1.0f, 0.1f,
        0.0f, 0.0f, 0.0f, 1.0f,
        0.8f, 1.0f, 0.0f, 0.3f,
    ];

    private static WordDecoder Decoder(bool exact)
    {
        var vectors = new WordVectors(new Vocabulary(Words, Words.Select((_, i) => (long)(10 - i)).ToList()), 4, Data);
        IVectorIndex index = exact ? new ExactIndex(Data, 4) : HnswIndex.Build(Data, 4, new HnswOptions(M: 4));
        return new WordDecoder(vectors, index);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Analogy_is_gensim_most_similar(bool exact)
    {
        var decoder = Decoder(exact);
        var hits = decoder.MostSimilar(["king", "woman"], ["man"], 2);
        Assert.Equal("queen", decoder.Word(hits[0]));
        Assert.DoesNotContain(hits, h => decoder.Word(h) is "king" or "woman" or "man");
    }

    [Fact]
    public void Nearest_leaves_out_the_word_itself_and_decode_does_not()
    {
        var decoder = Decoder(exact: true);
        var near = decoder.Nearest("king", 2);
        Assert.Equal(["prince", "man"], near.Select(decoder.Word));
        var decoded = decoder.Decode(Data.AsSpan(0, 4), 1);
        Assert.Equal("king", decoder.Word(decoded[0]));
        Assert.Equal(1f, decoded[0].Cosine, 1e-5f);
        Assert.Equal(decoded, decoder.DecodeBatch(Data.AsSpan(0, 8), 1)[0]);
    }

    [Fact]
    public void Unknown_words_are_named()
    {
        var e = Assert.Throws<KeyNotFoundException>(() => Decoder(exact: true).MostSimilar(["king", "emperor"], ["czar"], 3));
        Assert.Contains("emperor, czar", e.Message);
    }
}
