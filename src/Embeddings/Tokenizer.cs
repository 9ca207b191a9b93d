using System.Buffers;
using System.Globalization;
using System.Text;

namespace VecLm.Embeddings;

/// <summary>
/// Splits raw text into words and punctuation (<c>--tokenize</c>) and writes the tokens separated by single spaces,
/// so everything downstream reads them as pre-tokenised text. The rules (README, "Raw text: --tokenize"):
/// <list type="bullet">
/// <item>White space, control and format characters separate tokens and are dropped (a soft hyphen, U+00AD, is dropped
/// without separating).</item>
/// <item>Letters, marks, numbers and connector punctuation (<c>_</c>) form words; a grapheme cluster (a letter with its
/// combining marks, an emoji with its modifiers) is never split.</item>
/// <item>An apostrophe (<c>'</c>, <c>’</c>) or a hyphen (<c>-</c>, U+2010, U+2011) between two word characters stays in the
/// word: don't, O'Brien, l'homme, state-of-the-art, B-52 (as Brown writes them).</item>
/// <item><c>.</c> <c>,</c> <c>:</c> <c>/</c> between two digits stay in the number: 3.14, 1,000, 10:30, 1/2.</item>
/// <item>Every other punctuation mark or symbol is a token of its own, except that a run of one of <c>.</c> <c>-</c>
/// <c>`</c> <c>'</c> is one token: <c>...</c>, <c>--</c>, <c>``</c>, <c>''</c>.</item>
/// <item>Every Han ideograph is a token of its own (Chinese and Japanese have no spaces between words; kana, Thai and
/// other scripts written without spaces stay in runs).</item>
/// <item>Tags such as <c>&lt;/s&gt;</c>, <c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c> (<c>&lt;</c>, an optional <c>/</c>, 1–16 ASCII
/// letters, digits or <c>_</c>, <c>&gt;</c>) are one token each, copied as they are.</item>
/// </list>
/// With <see cref="TokenizerOptions.Lowercase"/> every other character goes through <see cref="Rune.ToLowerInvariant"/>
/// (which keeps every character's UTF-16 length); no character is otherwise changed (no Unicode normalisation). The
/// rules are idempotent: tokenising tokenised text gives it back. Stateless and thread-safe.
/// </summary>
public sealed class Tokenizer(TokenizerOptions options)
{
    // ASCII character classes, as bits.
    private const byte Word = 1, Digit = 2, Space = 4, Joiner = 8, NumberJoiner = 16, Run = 32;
    private const int MaxTagName = 16;
    private static readonly byte[] Ascii = BuildAscii();
    private static readonly SearchValues<char> TagNameChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");

    private readonly bool _lower = options.Lowercase;

    public TokenizerOptions Options => options;

    /// <summary>The output room <see cref="Tokenize"/> needs for a line of <paramref name="length"/> characters.</summary>
    public static int MaxLength(int length) => 2 * length;

    /// <summary>
    /// Writes the tokens of <paramref name="line"/> to <paramref name="output"/> (at least <see cref="MaxLength"/> long),
    /// separated by single spaces; returns the characters written (0 for a line without tokens).
    /// </summary>
    public int Tokenize(ReadOnlySpan<char> line, Span<char> output)
    {
        if (output.Length < MaxLength(line.Length))
            throw new ArgumentException($"{output.Length} characters of output for a line of {line.Length}", nameof(output));
        int o = 0, i = 0, n = line.Length;
        bool inWord = false, lastDigit = false;
        while (i < n)
        {
            char c = line[i];
            if (c < 128)
            {
                byte k = Ascii[c];
                if ((k & Word) != 0)
                {
                    if (!inWord) Start(output, ref o);
                    output[o++] = _lower && char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
                    inWord = true;
                    lastDigit = (k & Digit) != 0;
                    i++;
                    continue;
                }
                if ((k & Space) != 0) { inWord = false; i++; continue; }
                if (inWord && ((k & Joiner) != 0 && IsWordAt(line, i + 1) || (k & NumberJoiner) != 0 && lastDigit && IsDigitAt(line, i + 1)))
                {
                    output[o++] = c;
                    lastDigit = false;
                    i++;
                    continue;
                }
                inWord = false;
                int length = c == '<' ? TagLength(line, i) : 0;
                bool tag = length > 0;
                if (!tag)
                {
                    length = 1;
                    if ((k & Run) != 0) while (i + length < n && line[i + length] == c) length++;
                }
                Start(output, ref o);
                Write(line.Slice(i, length), output, ref o, lower: false);
                i += length;
                continue;
            }
            int value, used = 1;
            UnicodeCategory category;
            if (!char.IsSurrogate(c))
            {
                value = c;
                category = CharUnicodeInfo.GetUnicodeCategory(c);
            }
            else if (Rune.DecodeFromUtf16(line[i..], out var rune, out used) == OperationStatus.Done)
            {
                value = rune.Value;
                category = Rune.GetUnicodeCategory(rune);
            }
            else
            {
                // A lone surrogate (only from a string; files are decoded with replacement): a symbol of its own.
                Start(output, ref o);
                output[o++] = c;
                inWord = false;
                i++;
                continue;
            }
            if (value == 0xAD) { i++; continue; }   // a soft hyphen: invisible, dropped inside the word
            // Every white-space character is a control character or a separator (none is outside the BMP).
            if (IsSeparator(category)) { inWord = false; i += used; continue; }
            int unit = ClusterLength(line, i, used, category);
            bool word = IsWordCategory(category) && !IsIdeograph(value);
            if (word || inWord && unit == used && IsJoiner(value) && IsWordAt(line, i + used))
            {
                if (!inWord) Start(output, ref o);
                Write(line.Slice(i, unit), output, ref o, _lower);
                inWord = true;
                lastDigit = word && category == UnicodeCategory.DecimalDigitNumber && unit == used;
                i += unit;
                continue;
            }
            inWord = false;
            Start(output, ref o);
            Write(line.Slice(i, unit), output, ref o, _lower);
            i += unit;
        }
        return o;
    }

    /// <summary>The tokens of <paramref name="text"/> as strings (line breaks separate, as any white space).</summary>
    public string[] Split(string text)
    {
        var buffer = ArrayPool<char>.Shared.Rent(Math.Max(1, MaxLength(text.Length)));
        try
        {
            int n = Tokenize(text, buffer);
            return n == 0 ? [] : buffer.AsSpan(0, n).ToString().Split(' ');
        }
        finally { ArrayPool<char>.Shared.Return(buffer); }
    }

    private static void Start(Span<char> output, ref int o)
    {
        if (o > 0) output[o++] = ' ';
    }

    private static void Write(ReadOnlySpan<char> unit, Span<char> output, ref int o, bool lower)
    {
        if (!lower)
        {
            unit.CopyTo(output[o..]);
            o += unit.Length;
            return;
        }
        while (!unit.IsEmpty)
        {
            if (!char.IsSurrogate(unit[0]))
            {
                output[o++] = char.ToLowerInvariant(unit[0]);
                unit = unit[1..];
                continue;
            }
            if (Rune.DecodeFromUtf16(unit, out var rune, out int used) == OperationStatus.Done)
                Rune.ToLowerInvariant(rune).EncodeToUtf16(output[o..]);
            else output[o] = unit[0];
            o += used;
            unit = unit[used..];
        }
    }

    /// <summary>
    /// The grapheme cluster starting at <paramref name="i"/>, whose first rune is <paramref name="used"/> chars of
    /// <paramref name="category"/>. A cluster that would go on into an ASCII character is cut before it. A cased letter,
    /// digit, punctuation mark or space next never continues a cluster (UAX #29: it is no Extend, ZWJ or SpacingMark),
    /// unless this rune is an other letter (Prepend and Hangul jamo are): then no search is needed (3× faster on Cyrillic).
    /// </summary>
    internal static int ClusterLength(ReadOnlySpan<char> line, int i, int used, UnicodeCategory category)
    {
        int next = i + used;
        if (next >= line.Length || line[next] < 128) return used;
        if (category != UnicodeCategory.OtherLetter && !char.IsSurrogate(line[next])
            && CharUnicodeInfo.GetUnicodeCategory(line[next]) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
                or UnicodeCategory.TitlecaseLetter or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.SpaceSeparator
                or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation
                or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation
                or UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol)
            return used;
        return Math.Max(used, StringInfo.GetNextTextElementLength(line[i..]));
    }

    private static bool IsWordAt(ReadOnlySpan<char> line, int i)
    {
        if (i >= line.Length) return false;
        char c = line[i];
        if (c < 128) return (Ascii[c] & Word) != 0;
        if (Rune.DecodeFromUtf16(line[i..], out var rune, out _) != OperationStatus.Done) return false;
        return IsWordCategory(Rune.GetUnicodeCategory(rune)) && !IsIdeograph(rune.Value);
    }

    private static bool IsDigitAt(ReadOnlySpan<char> line, int i) => i < line.Length && char.IsDigit(line[i]);

    /// <summary>The length of a tag such as <c>&lt;/s&gt;</c> starting at <paramref name="i"/> (a '&lt;'), or 0.</summary>
    private static int TagLength(ReadOnlySpan<char> line, int i)
    {
        int j = i + 1;
        if (j < line.Length && line[j] == '/') j++;
        var rest = line[j..];
        int name = rest.IndexOfAnyExcept(TagNameChars);
        if (name < 1 || name > MaxTagName || rest[name] != '>') return 0;
        return j + name + 1 - i;
    }

    private static bool IsWordCategory(UnicodeCategory category) => category is
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
        or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
        or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
        or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
        or UnicodeCategory.ConnectorPunctuation;

    private static bool IsSeparator(UnicodeCategory category) => category is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.SpaceSeparator
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    /// <summary>Typographic apostrophe (U+2019), hyphen (U+2010) and non-breaking hyphen (U+2011).</summary>
    private static bool IsJoiner(int value) => value is 0x2019 or 0x2010 or 0x2011;

    /// <summary>Han ideographs: the CJK Unified Ideographs and their extensions, and the compatibility ideographs.</summary>
    private static bool IsIdeograph(int value) =>
        value is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0xF900 and <= 0xFAFF or >= 0x20000 and <= 0x3134F;

    private static byte[] BuildAscii()
    {
        var table = new byte[128];
        for (int c = 0; c < 128; c++)
        {
            if (char.IsAsciiLetter((char)c) || c == '_') table[c] = Word;
            else if (char.IsAsciiDigit((char)c)) table[c] = Word | Digit;
            else if (c <= ' ' || c == 127) table[c] = Space;   // white space and control characters
        }
        table['\''] = Joiner | Run;
        table['-'] = Joiner | Run;
        table['.'] = NumberJoiner | Run;
        table[','] = NumberJoiner;
        table[':'] = NumberJoiner;
        table['/'] = NumberJoiner;
        table['`'] = Run;
        return table;
    }
}
