using System.Text;

namespace VecLm.Embeddings.FastText;

/// <summary>
/// fastText's character n-grams (Bojanowski et al. 2017): the word wrapped in <c>&lt;</c> and <c>&gt;</c>, every run
/// of <c>minn..maxn</c> characters (a character starts at each UTF-8 byte that is not a continuation byte), but not the
/// lone <c>&lt;</c> or <c>&gt;</c>; each n-gram hashed (<see cref="Hash"/>) into one of <c>buckets</c> rows. The
/// order of the n-grams is fastText's (by start, then by length), so sums match its float rounding.
/// </summary>
public sealed class Subwords
{
    public const string BeginOfWord = "<";
    public const string EndOfWord = ">";

    public Subwords(int minn, int maxn, int buckets)
    {
        if (buckets < 0) throw new BadInputException($"--buckets must be 0 or more (got {buckets})");
        if (buckets > 0 && (minn < 1 || maxn < minn))
            throw new BadInputException($"--minn must be at least 1 and at most --maxn (got minn {minn}, maxn {maxn})");
        MinN = minn;
        MaxN = maxn;
        Buckets = buckets;
    }

    public int MinN { get; }
    public int MaxN { get; }
    /// <summary>Rows the n-grams are hashed into; 0 means no n-grams (a word-level model).</summary>
    public int Buckets { get; }
    public bool Enabled => Buckets > 0 && MaxN > 0;

    /// <summary>
    /// fastText's hash: 32-bit FNV-1a over the bytes, each byte sign-extended before the xor (as every released
    /// fastText model was trained with a signed <c>char</c>).
    /// </summary>
    public static uint Hash(ReadOnlySpan<byte> bytes)
    {
        uint h = 2166136261;
        foreach (byte b in bytes)
        {
            h ^= unchecked((uint)(sbyte)b);
            h = unchecked(h * 16777619);
        }
        return h;
    }

    /// <summary>
    /// Adds the bucket (0 ≤ b &lt; <see cref="Buckets"/>) of each n-gram of <paramref name="word"/> (not yet wrapped)
    /// to <paramref name="into"/>. <c>&lt;/s&gt;</c> has none, as in fastText.
    /// </summary>
    public void Add(string word, List<int> into)
    {
        if (!Enabled || word == Embeddings.Vocabulary.EndOfSentence) return;
        int length = Encoding.UTF8.GetByteCount(word) + 2;
        Span<byte> bytes = length <= 512 ? stackalloc byte[length] : new byte[length];
        bytes[0] = (byte)'<';
        Encoding.UTF8.GetBytes(word, bytes[1..]);
        bytes[length - 1] = (byte)'>';
        Add(bytes, into);
    }

    /// <summary>As <see cref="Add(string, List{int})"/> over the wrapped word's UTF-8 bytes.</summary>
    public void Add(ReadOnlySpan<byte> wrapped, List<int> into)
    {
        foreach (var (start, end) in Ranges(wrapped.ToArray()))
            into.Add((int)(Hash(wrapped[start..end]) % (uint)Buckets));
    }

    /// <summary>The n-grams themselves, in <see cref="Add(string, List{int})"/>'s order (for tests and messages).</summary>
    public List<string> Strings(string word)
    {
        if (!Enabled || word == Embeddings.Vocabulary.EndOfSentence) return [];
        var wrapped = Encoding.UTF8.GetBytes(BeginOfWord + word + EndOfWord);
        return Ranges(wrapped).Select(r => Encoding.UTF8.GetString(wrapped, r.Start, r.End - r.Start)).ToList();
    }

    /// <summary>The byte ranges of the n-grams of a wrapped word: by start, then by length, as fastText.</summary>
    private List<(int Start, int End)> Ranges(byte[] wrapped)
    {
        var ranges = new List<(int, int)>();
        for (int i = 0; i < wrapped.Length; i++)
        {
            if (IsContinuation(wrapped[i])) continue;
            int j = i;
            for (int n = 1; j < wrapped.Length && n <= MaxN; n++)
            {
                j++;
                while (j < wrapped.Length && IsContinuation(wrapped[j])) j++;
                if (n >= MinN && !(n == 1 && (i == 0 || j == wrapped.Length))) ranges.Add((i, j));
            }
        }
        return ranges;
    }

    private static bool IsContinuation(byte b) => (b & 0xC0) == 0x80;
}
