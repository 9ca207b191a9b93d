using System.Buffers.Binary;
using System.Globalization;

namespace VecLm.Embeddings.Tests;

/// <summary>
/// The files made by the real fastText 0.9.2 and gensim 4.2 (Fixtures/fasttext/make-fixtures.sh), what those tools
/// printed, and where the parts of a <c>.bin</c> lie (found here by walking its bytes, apart from the reader under test).
/// </summary>
internal static class FastTextFixtures
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "fasttext", name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path(name));

    /// <summary>Lines <c>word v1 … vd</c> as fastText (5 significant digits, a trailing space) or gensim printed them.</summary>
    public static List<(string Word, float[] Vector)> Vectors(string name) =>
        File.ReadAllLines(Path(name)).Where(l => l.Length > 0).Select(line =>
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return (parts[0], parts[1..].Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray());
        }).ToList();

    /// <summary><c>fasttext print-ngrams</c> blocks: per word, its n-grams (the word itself first if in the dictionary) and rows.</summary>
    public static List<(string Word, List<(string Ngram, float[] Vector)> Rows)> Ngrams(string name)
    {
        var blocks = new List<(string, List<(string, float[])>)>();
        foreach (var line in File.ReadAllLines(Path(name)))
        {
            if (line.StartsWith("== ", StringComparison.Ordinal)) blocks.Add((line[3..], []));
            else if (line.Length > 0)
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                blocks[^1].Item2.Add((parts[0], parts[1..].Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()));
            }
        }
        return blocks;
    }

    /// <summary>Equal to what fastText printed (5 significant digits): within 1e-4, relative for values above 1.</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int j = 0; j < expected.Length; j++)
            Assert.True(Math.Abs(expected[j] - actual[j]) <= 1e-4 * Math.Max(1, Math.Abs(expected[j])),
                        $"{what}[{j}]: {actual[j]}, fastText printed {expected[j]}");
    }

    // Offsets of the fixed part of a .bin: magic, version, the 12 settings and t, the dictionary's header.
    public const int Version = 4, Dim = 8, Loss = 32, Model = 36, Bucket = 40, MinN = 44, MaxN = 48;
    public const int Size = 64, NWords = 68, NLabels = 72, NTokens = 76, PruneIdx = 84, Entries = 92;

    /// <summary>Where a .bin's variable parts lie.</summary>
    public sealed record Layout(int[] WordStarts, int Quant, int InputRows, int InputData, int Qout, int OutputRows, int OutputData);

    public static Layout Walk(byte[] bin)
    {
        int size = BinaryPrimitives.ReadInt32LittleEndian(bin.AsSpan(Size));
        var starts = new int[size];
        int at = Entries;
        for (int i = 0; i < size; i++)
        {
            starts[i] = at;
            at = Array.IndexOf(bin, (byte)0, at) + 1 + 8 + 1;
        }
        long m = BinaryPrimitives.ReadInt64LittleEndian(bin.AsSpan(at + 1)), n = BinaryPrimitives.ReadInt64LittleEndian(bin.AsSpan(at + 9));
        int qout = checked((int)(at + 17 + m * n * 4));
        return new Layout(starts, at, at + 1, at + 17, qout, qout + 1, qout + 17);
    }

    public static byte[] WithInt32(byte[] bin, int offset, int value)
    {
        var copy = (byte[])bin.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(offset), value);
        return copy;
    }

    public static byte[] WithInt64(byte[] bin, int offset, long value)
    {
        var copy = (byte[])bin.Clone();
        BinaryPrimitives.WriteInt64LittleEndian(copy.AsSpan(offset), value);
        return copy;
    }

    public static byte[] WithByte(byte[] bin, int offset, byte value)
    {
        var copy = (byte[])bin.Clone();
        copy[offset] = value;
        return copy;
    }
}
