using System.Text;
using VecLm.Tests.Shared;

namespace VecLm.Embeddings.Tests;

/// <summary>
/// Damaged vectors files (binary and text) and .vocab files: each kind of damage by hand, then a seeded fuzzer.
/// Every damaged file either loads into usable vectors or is an <see cref="InvalidDataException"/> with a one-line
/// message naming the file: never another exception, an allocation the file cannot justify, or a hang.
/// </summary>
public class DamagedFileTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    private static WordVectors Sample(int words = 40, int dim = 7)
    {
        var random = new Random(4);
        var names = new List<string> { "</s>", "the", "jury", "naïve", "<unk>" };
        names.AddRange(Enumerable.Range(0, words - names.Count).Select(i => $"w{i}"));
        var data = Enumerable.Range(0, words * dim).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        return new WordVectors(new Vocabulary(names, names.Select((_, i) => 1000L - i).ToArray()), dim, data);
    }

    private static byte[] Good(TempDir dir, VectorFormat format)
    {
        Sample().Save(dir.File("v.bin"), format);
        return File.ReadAllBytes(dir.File("v.bin"));
    }

    /// <summary>Loads <c>v.bin</c>: true if it loaded (and was usable), false if rejected cleanly.</summary>
    private static bool Load(TempDir dir, string name) => Damage.Check(name, () => WordVectors.Load(dir.File("v.bin")), Use,
        Limit, typeof(InvalidDataException), typeof(BadInputException));

    /// <summary>What a caller does with loaded vectors: rows normalisable, words found, damaged rows found.</summary>
    private static void Use(WordVectors v)
    {
        Assert.True(v.Count > 0 && v.Dim > 0);
        Assert.Equal((long)v.Count * v.Dim, v.Data.Length);
        Assert.All(v.NonFiniteIds(), id => Assert.Contains(v[id].ToArray(), x => !float.IsFinite(x)));
        var unit = v.Normalized();
        Assert.Equal(v.Count, unit.Count);
        Assert.True(v.Vocabulary.TryGetId(v.Vocabulary[v.Count - 1], out _));
        VectorMath.Cosine(v[0], v[v.Count - 1]);
    }

    private static void AssertRejected(TempDir dir, byte[] bytes, string name, string? mentions = null)
    {
        File.WriteAllBytes(dir.File("v.bin"), bytes);
        var e = Record.Exception(() => WordVectors.Load(dir.File("v.bin")));
        Assert.True(e is InvalidDataException, $"{name}: {e?.ToString() ?? "loaded"}");
        Assert.StartsWith(dir.File("v.bin") + ":", e.Message);
        Assert.DoesNotContain("\n", e.Message);
        if (mentions is not null) Assert.True(e.Message.Contains(mentions), $"{name}: {e.Message}");
        Assert.False(Load(dir, name), name);
    }

    [Theory]
    [InlineData(VectorFormat.Binary)]
    [InlineData(VectorFormat.Text)]
    public void TruncatedZeroedAndRandomBytesAreRejected(VectorFormat format)
    {
        using var dir = new TempDir();
        var good = Good(dir, format);
        foreach (int length in new[] { 0, 1, 4, 6, good.Length / 3, good.Length / 2, good.Length - 60 })
            AssertRejected(dir, Damage.Truncated(good, length), $"truncated to {length}");
        AssertRejected(dir, Damage.Zeroed(good), "zeroed", "not a word2vec file");
        AssertRejected(dir, Damage.RandomRun(good, 0, 16, seed: 1), "random bytes at the start");
        // Zero or random bytes in the middle of a binary file may be floats still (a float's bytes are any bytes):
        // such a file loads, or is rejected, and nothing else.
        File.WriteAllBytes(dir.File("v.bin"), Damage.ZeroedRun(good, good.Length / 2, 40));
        bool zeroedLoads = Load(dir, "zeroed in the middle");
        if (format == VectorFormat.Text) Assert.False(zeroedLoads);
        File.WriteAllBytes(dir.File("v.bin"), Damage.RandomRun(good, good.Length / 2, 64, seed: 2));
        Load(dir, "random bytes in the middle");
    }

    [Theory]
    [InlineData(VectorFormat.Binary)]
    [InlineData(VectorFormat.Text)]
    public void AbsurdHeadersAreRejectedBeforeAllocating(VectorFormat format)
    {
        using var dir = new TempDir();
        var good = Good(dir, format);
        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var header in Damage.AbsurdHeaders)
            AssertRejected(dir, Damage.WithHeader(good, header), $"header '{header}'");
        // 19 headers, most asking for gigabytes: a few kilobytes each were read and allocated, nothing like their sizes.
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 20, "a header made the reader allocate");
        AssertRejected(dir, Damage.WithHeader(good, "2147483647 7"), "count 2^31-1", "more than one array holds");
        AssertRejected(dir, Damage.WithHeader(good, "1000000 7"), "a million words", "truncated or damaged header");
        AssertRejected(dir, Damage.WithHeader(good, "2147483648 7"), "count 2^31", "below 2^31");
        AssertRejected(dir, Damage.WithHeader(good, "-5 7"), "negative count", "must be positive");
    }

    [Theory]
    [InlineData(VectorFormat.Binary)]
    [InlineData(VectorFormat.Text)]
    public void InvalidUtf8AndRepeatedWordsAreRejectedAndNonFiniteValuesFound(VectorFormat format)
    {
        using var dir = new TempDir();
        var good = Good(dir, format);
        int at = IndexOf(good, "jury"u8);
        var invalid = (byte[])good.Clone();
        invalid[at + 1] = 0xFF;
        AssertRejected(dir, invalid, "invalid UTF-8", "not valid UTF-8");
        if (format == VectorFormat.Text) AssertRejected(dir, TextWithWord(good, "w3", "the"), "a word twice", "twice");
        else AssertRejected(dir, BinaryWithWord(good, "w3", "w2"), "a word twice", "twice");
        if (format == VectorFormat.Text)
        {
            var text = Encoding.UTF8.GetString(good);
            int line = text.IndexOf("\nw5 ", StringComparison.Ordinal) + 4;
            int space = text.IndexOf(' ', line);
            File.WriteAllText(dir.File("v.bin"), text[..line] + "abc" + text[space..]);
            AssertRejected(dir, File.ReadAllBytes(dir.File("v.bin")), "abc", "'abc' is not a number");
            foreach (var bad in new[] { "NaN", "Infinity", "-Infinity", "1e39" })
            {
                File.WriteAllText(dir.File("v.bin"), text[..line] + bad + text[space..]);
                AssertNonFinite(dir, "w5");
            }
        }
        else
        {
            int vector = IndexOf(good, "w5 "u8) + 3;
            foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            {
                var bytes = (byte[])good.Clone();
                BitConverter.TryWriteBytes(bytes.AsSpan(vector + 8), bad);
                File.WriteAllBytes(dir.File("v.bin"), bytes);
                AssertNonFinite(dir, "w5");
            }
            var noSpace = (byte[])good.Clone();   // a word without its space: the reader must not run to the end of memory
            for (int i = vector - 3; i < noSpace.Length; i++) if (noSpace[i] == ' ') noSpace[i] = (byte)'x';
            AssertRejected(dir, [.. Encoding.ASCII.GetBytes("40 7\n"), .. "a\u0001"u8, .. Enumerable.Repeat((byte)'a', 100_000), .. "\n"u8], "a word of 100,000 bytes", "longer than");
            AssertRejected(dir, noSpace, "no more spaces");
        }
    }

    /// <summary>
    /// NaN and infinity load as they are (gensim loads them; training reports the NaN loss they cause), and
    /// <see cref="WordVectors.NonFiniteIds"/> names the words, for the warning veclm prints.
    /// </summary>
    private static void AssertNonFinite(TempDir dir, string word)
    {
        var loaded = WordVectors.Load(dir.File("v.bin"));
        Assert.Equal([word], loaded.NonFiniteIds().Select(id => loaded.Vocabulary[id]));
        Assert.True(Load(dir, $"a non-finite value in {word}"));
    }

    [Fact]
    public void DamagedVocabFilesAreRejected()
    {
        using var dir = new TempDir();
        Sample().Save(dir.File("v.bin"));
        var good = File.ReadAllBytes(dir.File("v.vocab"));
        void Rejected(byte[] vocab, string name, string mentions)
        {
            File.WriteAllBytes(dir.File("v.vocab"), vocab);
            var e = Assert.Throws<InvalidDataException>(() => WordVectors.Load(dir.File("v.bin")));
            Assert.StartsWith(dir.File("v.vocab") + ":", e.Message);
            Assert.True(e.Message.Contains(mentions), $"{name}: {e.Message}");
            Assert.False(Load(dir, name), name);
        }
        Rejected(Damage.Truncated(good, good.Length / 2), "truncated", "v.vocab");
        Rejected(Damage.Truncated(good, IndexOf(good, "\nw10 "u8) + 1), "truncated after a line", "no count for 'w10'");
        Rejected(Damage.Truncated(good, IndexOf(good, "naïve"u8) + 3), "cut inside a character", "UTF-8");
        Rejected(Damage.Zeroed(good), "zeroed", "expected 'word count'");
        Rejected(Damage.RandomRun(good, 0, 12, seed: 3), "random bytes at the start", "line 1");
        Rejected([.. good, .. "the 5\n"u8], "a word twice", "counted twice");
        Rejected([.. good, .. "x -5\n"u8], "a negative count", "expected 'word count'");
        Rejected([.. good, .. "x 9223372036854775807\n"u8], "counts beyond 2^63", "2^63");
        var invalid = (byte[])good.Clone();
        invalid[IndexOf(good, "jury"u8) + 2] = 0xC3;
        Rejected(invalid, "invalid UTF-8", "not valid UTF-8");
    }

    /// <summary>
    /// Every format, a few hundred seeded mutations each (bit flips, cuts, deletions, insertions, random and zero
    /// runs, header numbers): each loads usable vectors or is rejected cleanly, within the time limit.
    /// </summary>
    [Theory]
    [InlineData("bin", 400)]
    [InlineData("text", 400)]
    [InlineData("vocab", 300)]
    public void FuzzedFilesLoadOrAreRejectedCleanly(string kind, int mutations)
    {
        using var dir = new TempDir();
        var format = kind == "text" ? VectorFormat.Text : VectorFormat.Binary;
        Sample(words: 12, dim: 5).Save(dir.File("v.bin"), format);
        string target = dir.File(kind == "vocab" ? "v.vocab" : "v.bin");
        var good = File.ReadAllBytes(target);
        int loaded = 0;
        foreach (var (name, bytes) in Damage.Fuzz(good, mutations, seed: kind.Length * 7919))
        {
            File.WriteAllBytes(target, bytes);
            if (Load(dir, $"{kind} {name}")) loaded++;
        }
        // Most mutations must be caught; some (a flipped bit in a float, a digit changed) are legitimately still vectors.
        Assert.InRange(loaded, 0, mutations * 3 / 4);
        File.WriteAllBytes(target, good);
        Assert.True(Load(dir, "the good file"));
    }

    private static int IndexOf(byte[] bytes, ReadOnlySpan<byte> what)
    {
        int at = bytes.AsSpan().IndexOf(what);
        Assert.True(at >= 0);
        return at;
    }

    private static byte[] TextWithWord(byte[] good, string word, string replacement) =>
        Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(good).Replace($"\n{word} ", $"\n{replacement} "));

    private static byte[] BinaryWithWord(byte[] good, string word, string replacement)
    {
        Assert.Equal(word.Length, replacement.Length);
        var bytes = (byte[])good.Clone();
        Encoding.ASCII.GetBytes(replacement).CopyTo(bytes, IndexOf(good, Encoding.ASCII.GetBytes($"\n{word} ")) + 1);
        return bytes;
    }
}
