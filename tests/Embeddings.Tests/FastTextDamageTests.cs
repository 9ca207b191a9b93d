using System.Text;
using VecLm.Embeddings.FastText;
using VecLm.Tests.Shared;
using static VecLm.Embeddings.Tests.FastTextFixtures;

namespace VecLm.Embeddings.Tests;

/// <summary>
/// fastText files VecLm does not read (supervised, quantised, pruned, another version) and damaged ones, by hand and
/// by the seeded fuzzer: each is an <see cref="InvalidDataException"/> with one line naming the file and the problem,
/// never another exception, an allocation the file cannot justify, or a hang.
/// </summary>
public class FastTextDamageTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    private static bool Load(string path, string name) => Damage.Check(name, () => FastTextBinary.Read(path), Use,
        Limit, typeof(InvalidDataException));

    /// <summary>What a caller does with a model: vectors of every word and of an unknown one.</summary>
    private static void Use(SubwordModel model)
    {
        var vectors = model.WordVectors();
        Assert.Equal(model.WordCount, vectors.Count);
        vectors.Normalized();
        Assert.Equal(model.Dim, model.Vector("xyzzy").Length);
        Assert.Equal(model.Dim, model.Vector(model.Vocabulary[model.WordCount - 1]).Length);
    }

    private static void AssertRejected(TempDir dir, byte[] bytes, string name, string mentions)
    {
        string path = dir.File("m.bin");
        File.WriteAllBytes(path, bytes);
        var e = Record.Exception(() => FastTextBinary.Read(path));
        Assert.True(e is InvalidDataException, $"{name}: {e?.ToString() ?? "loaded"}");
        Assert.StartsWith(path + ": ", e!.Message);
        Assert.DoesNotContain("\n", e.Message);
        Assert.True(e.Message.Contains(mentions), $"{name}: {e.Message}");
        Assert.False(Load(path, name), name);
        // As a vectors file (detected by its first bytes): rejected too, by this reader or word2vec's.
        Assert.False(Damage.Check(name, () => WordVectors.Load(path), _ => { }, Limit, typeof(InvalidDataException)));
    }

    [Fact]
    public void ModelsOfOtherKindsAreRejectedWithTheReason()
    {
        using var dir = new TempDir();
        var good = Bytes("small.bin");
        var layout = Walk(good);
        AssertRejected(dir, Bytes("supervised.bin"), "supervised", "a supervised (classification) model, not word vectors");
        AssertRejected(dir, Bytes("supervised.ftz"), "supervised .ftz", "a supervised (classification) model");
        AssertRejected(dir, WithInt32(good, Model, 3), "model sup", "a supervised (classification) model");
        AssertRejected(dir, WithByte(good, layout.Quant, 1), "quantised input", ".ftz, product-quantised: not supported; use the .bin");
        AssertRejected(dir, WithByte(good, layout.Qout, 1), "quantised output", "quantised output matrix");
        AssertRejected(dir, WithInt64(good, PruneIdx, 0), "pruned, no n-grams", "a pruned model");
        AssertRejected(dir, WithInt64(good, PruneIdx, 3), "pruned", "a pruned model");
        var labelled = WithInt32(WithInt32(good, Size, BitConverter.ToInt32(good, Size) + 1), NLabels, 1);
        AssertRejected(dir, labelled, "labels", "holds 1 labels: a supervised (classification) model");
        AssertRejected(dir, WithInt32(good, FastTextFixtures.Version, 99), "version 99", "version 99 is not supported");
        AssertRejected(dir, WithInt32(good, FastTextFixtures.Version, 10), "version 10", "version 10 is not supported");
        AssertRejected(dir, WithInt32(good, 0, 0x2F4F16BB), "wrong magic", "not a fastText .bin");
        AssertRejected(dir, WithInt32(good, Model, 7), "model 7", "unknown model 7");
        AssertRejected(dir, WithInt32(good, Loss, 0), "loss 0", "unknown loss 0");
        AssertRejected(dir, WithInt32(good, MinN, 0), "minn 0", "unsupported n-gram lengths");
        AssertRejected(dir, WithInt32(good, MinN, 5), "minn above maxn", "unsupported n-gram lengths");
        AssertRejected(dir, WithInt32(good, Bucket, 0), "n-grams without buckets", "no buckets");
    }

    [Fact]
    public void TruncatedFilesAreRejectedWhereverTheyEnd()
    {
        using var dir = new TempDir();
        var good = Bytes("small.bin");
        var layout = Walk(good);
        foreach (int length in new[] { 0, 3 })
            AssertRejected(dir, Damage.Truncated(good, length), $"truncated to {length}", "not a fastText .bin");
        int[] cuts =
        [
            4, 7, 8, 40, 63, 64, 70, Entries, Entries + 1, layout.WordStarts[5] + 2, layout.WordStarts[^1] + 3, layout.Quant,
            layout.Quant + 1, layout.InputRows + 5, layout.InputData, layout.InputData + 1000, layout.Qout - 1, layout.Qout,
            layout.OutputRows + 9, layout.OutputData, layout.OutputData + 37, good.Length - 1,
        ];
        foreach (int length in cuts) AssertRejected(dir, Damage.Truncated(good, length), $"truncated to {length}", "truncated");
        AssertRejected(dir, [.. good, 0, 0, 0], "3 bytes more", "3 bytes more than the header announces");
    }

    [Fact]
    public void SizesThatDisagreeWithTheHeaderAreRejectedBeforeAllocating()
    {
        using var dir = new TempDir();
        var good = Bytes("small.bin");
        var layout = Walk(good);
        long rows = BitConverter.ToInt64(good, layout.InputRows);
        AssertRejected(dir, WithInt64(good, layout.InputRows, rows + 1), "input rows + 1", "the input matrix is");
        AssertRejected(dir, WithInt64(good, layout.InputRows + 8, 9), "input columns 9", "the input matrix is");
        AssertRejected(dir, WithInt64(good, layout.OutputRows, rows), "output rows", "the output matrix is");
        AssertRejected(dir, WithInt64(good, layout.OutputRows + 8, 7), "output columns", "the output matrix is");
        AssertRejected(dir, WithInt32(good, Bucket, 999), "bucket 999", "the input matrix is");
        long before = GC.GetAllocatedBytesForCurrentThread();
        AssertRejected(dir, WithInt32(good, Dim, int.MaxValue), "dim 2^31-1", "more than one array holds");
        AssertRejected(dir, WithInt32(good, Bucket, int.MaxValue), "bucket 2^31-1", "more than one array holds");
        AssertRejected(dir, WithInt32(good, Bucket, 3_000_000), "bucket 3,000,000", "truncated or damaged header");
        AssertRejected(dir, WithInt32(good, Dim, 300), "dim 300", "truncated or damaged header");
        var huge = WithInt32(WithInt32(good, Size, int.MaxValue), NWords, int.MaxValue);
        AssertRejected(dir, huge, "2^31-1 words", "damaged header");
        AssertRejected(dir, WithInt32(WithInt32(good, Size, 5_000_000), NWords, 5_000_000), "5 million words", "truncated or damaged header");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 20, "a header made the reader allocate");
        AssertRejected(dir, WithInt32(good, Dim, 0), "dim 0", "dimension 0");
        AssertRejected(dir, WithInt32(good, NWords, -1), "nwords -1", "damaged dictionary header");
        AssertRejected(dir, WithInt64(good, NTokens, -1), "ntokens -1", "-1 tokens");
        AssertRejected(dir, WithInt64(good, PruneIdx, -2), "pruneidx -2", "pruning table size -2");
    }

    [Fact]
    public void DamagedDictionariesAreRejected()
    {
        using var dir = new TempDir();
        var good = Bytes("small.bin");
        var layout = Walk(good);
        int cafe = good.AsSpan().IndexOf("café\0"u8);
        Assert.True(cafe > 0);
        // "café" is 5 bytes: its 0 byte at +5, its count at +6, its type at +14.
        AssertRejected(dir, WithByte(good, cafe + 3, 0xFF), "invalid UTF-8", "not valid UTF-8");
        AssertRejected(dir, WithByte(good, cafe + 5, (byte)'x'), "a lost 0 byte", "");
        AssertRejected(dir, WithInt64(good, cafe + 6, -4), "a negative count", "has the count -4");
        AssertRejected(dir, WithInt64(good, cafe + 6, long.MaxValue), "counts beyond 2^63", "more than 2^63");
        AssertRejected(dir, WithByte(good, cafe + 14, 1), "a label among the words", "has type 1");
        AssertRejected(dir, AWordTwice(good, layout), "a word twice", "twice");
        // A zeroed run in the dictionary leaves an empty word (every entry is shorter than the run).
        AssertRejected(dir, Damage.ZeroedRun(good, (layout.WordStarts[0] + layout.Quant) / 2, 40), "zeroed dictionary", "is empty");
        AssertRejected(dir, Damage.Zeroed(good), "zeroed", "not a fastText .bin");
        AssertRejected(dir, Damage.RandomRun(good, 0, 16, seed: 1), "random bytes at the start", "not a fastText .bin");
    }

    /// <summary>A zeroed or random run in a matrix is still floats: the model loads with those values (as fastText).</summary>
    [Fact]
    public void DamageInsideAMatrixLeavesFloats()
    {
        using var dir = new TempDir();
        var good = Bytes("small.bin");
        var layout = Walk(good);
        File.WriteAllBytes(dir.File("m.bin"), Damage.ZeroedRun(good, layout.InputData + 400, 64));
        Assert.True(Load(dir.File("m.bin"), "zeroed matrix"));
        var model = FastTextBinary.Read(dir.File("m.bin"));
        Assert.All(model.Input.AsSpan(100, 16).ToArray(), v => Assert.Equal(0f, v));
        File.WriteAllBytes(dir.File("m.bin"), Damage.RandomRun(good, layout.InputData + 400, 64, seed: 2));
        Assert.True(Load(dir.File("m.bin"), "random bytes in the matrix"));
    }

    /// <summary>A few hundred seeded mutations of small.bin (see <see cref="Damage.Fuzz"/>): loaded and usable, or rejected.</summary>
    [Fact]
    public void FuzzedModelsLoadOrAreRejectedCleanly()
    {
        using var dir = new TempDir();
        var good = Bytes("small.bin");
        string path = dir.File("m.bin");
        int loaded = 0;
        foreach (var (name, bytes) in Damage.Fuzz(good, 500, seed: 2026))
        {
            File.WriteAllBytes(path, bytes);
            if (Load(path, name)) loaded++;
            Damage.Check(name, () => WordVectors.Load(path), _ => { }, Limit, typeof(InvalidDataException), typeof(BadInputException));
        }
        // Edits in the matrices (most of the file) are floats still; those in the header and dictionary must be caught.
        Assert.InRange(loaded, 1, 500 * 3 / 4);
        File.WriteAllBytes(path, good);
        Assert.True(Load(path, "the good file"));
    }

    /// <summary>small.bin with one dictionary word overwritten by an earlier word of the same byte length.</summary>
    private static byte[] AWordTwice(byte[] good, Layout layout)
    {
        var words = layout.WordStarts.Select(s => good.AsSpan(s, Array.IndexOf(good, (byte)0, s) - s).ToArray()).ToList();
        for (int j = 1; j < words.Count; j++)
            for (int i = 0; i < j; i++)
                if (words[i].Length == words[j].Length)
                {
                    var bytes = (byte[])good.Clone();
                    words[i].CopyTo(bytes, layout.WordStarts[j]);
                    Assert.Equal(Encoding.UTF8.GetString(words[i]), Encoding.UTF8.GetString(bytes, layout.WordStarts[j], words[i].Length));
                    return bytes;
                }
        throw new InvalidOperationException("no two words of one length");
    }
}
