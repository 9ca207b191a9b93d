using System.Text;
using VecLm.Embeddings.FastText;
using static VecLm.Embeddings.Tests.FastTextFixtures;

namespace VecLm.Embeddings.Tests;

/// <summary>
/// fastText's character n-grams and their hash against what fastText 0.9.2 itself printed (<c>print-ngrams</c>: each
/// n-gram with its row) and a C program hashing as fastText does (checked against gensim by make-fixtures.sh).
/// </summary>
public class FastTextSubwordTests
{
    [Fact]
    public void HashesAreFastTextsSignExtendedFnv1a()
    {
        var lines = File.ReadAllLines(FastTextFixtures.Path("hashes.txt"), Encoding.UTF8);
        Assert.True(lines.Length >= 20);
        Assert.Contains(lines, l => l.EndsWith("\t日本語", StringComparison.Ordinal));
        foreach (var line in lines)
        {
            int tab = line.IndexOf('\t');
            uint expected = uint.Parse(line[..tab]);
            string text = line[(tab + 1)..];
            Assert.True(expected == Subwords.Hash(Encoding.UTF8.GetBytes(text)), $"'{text}': {Subwords.Hash(Encoding.UTF8.GetBytes(text))}, expected {expected}");
        }
        // Unsigned bytes would give another hash as soon as a byte is 0x80 or above (the gensim #2059 mistake).
        Assert.Equal(2166136261u, Subwords.Hash([]));
        Assert.NotEqual(Subwords.Hash("é"u8), UnsignedFnv1a("é"u8));
        Assert.Equal(Subwords.Hash("the"u8), UnsignedFnv1a("the"u8));
    }

    [Theory]
    [InlineData("small.bin", "small-ngrams.txt")]
    [InlineData("cbow5.bin", "cbow5-ngrams.txt")]
    public void NgramsAndTheirRowsAreFastTexts(string bin, string printed)
    {
        var model = FastTextBinary.Read(FastTextFixtures.Path(bin));
        var blocks = Ngrams(printed);
        Assert.True(blocks.Count >= 8);
        foreach (var (word, rows) in blocks)
        {
            // print-ngrams lists the word itself first when it is in the dictionary, then its n-grams.
            bool known = model.Contains(word);
            var expected = rows.Select(r => r.Ngram).Skip(known ? 1 : 0).ToList();
            Assert.Equal(expected, model.Subwords.Strings(word));
            if (known) Assert.Equal(word, rows[0].Ngram);
            var ids = model.Rows(word);
            Assert.Equal(rows.Count, ids.Length);
            for (int i = 0; i < rows.Count; i++)
                AssertClose(rows[i].Vector, model.Input.AsSpan(ids[i] * model.Dim, model.Dim), $"{word}: row of '{rows[i].Ngram}'");
        }
        Assert.Contains(blocks, b => !model.Contains(b.Word) && b.Rows.Count > 0);  // an unknown word's n-grams
        Assert.Equal(["</s>"], blocks.Single(b => b.Word == "</s>").Rows.Select(r => r.Ngram));  // no n-grams for </s>
    }

    [Fact]
    public void NgramsStartAtCharactersNotBytes()
    {
        var subwords = new Subwords(2, 3, 1000);
        Assert.Equal(["<日", "<日本", "日本", "日本語", "本語", "本語>", "語>"], subwords.Strings("日本語"));
        Assert.Equal(["<🙂", "<🙂>", "🙂>"], subwords.Strings("🙂"));
        var five = new Subwords(5, 5, 1000);
        Assert.Empty(five.Strings("ab"));  // "<ab>" has 4 characters
        Assert.Equal(["<café", "café>"], five.Strings("café"));
    }

    private static uint UnsignedFnv1a(ReadOnlySpan<byte> bytes)
    {
        uint h = 2166136261;
        foreach (byte b in bytes) h = unchecked((h ^ b) * 16777619);
        return h;
    }
}
