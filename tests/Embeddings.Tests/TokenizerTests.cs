using System.Globalization;
using System.Text;

namespace VecLm.Embeddings.Tests;

public class TokenizerTests
{
    private static readonly Tokenizer Plain = new(new TokenizerOptions());
    private static readonly Tokenizer Lower = new(new TokenizerOptions { Lowercase = true });

    private static string[] T(string text) => Plain.Split(text);

    [Theory]
    [InlineData("The film, they said.", "The|film|,|they|said|.")]
    [InlineData("\"Great,\" she said; (really?) [no!] {yes}", "\"|Great|,|\"|she|said|;|(|really|?|)|[|no|!|]|{|yes|}")]
    [InlineData("don't O'Brien l'homme rock'n'roll", "don't|O'Brien|l'homme|rock'n'roll")]
    [InlineData("don’t l’homme ‘quoted’", "don’t|l’homme|‘|quoted|’")]
    [InlineData("'tis the students' 'em", "'|tis|the|students|'|'|em")]
    [InlineData("Atlanta's 1960's", "Atlanta's|1960's")]
    [InlineData("state-of-the-art B-52 10-year -5 well- -known", "state-of-the-art|B-52|10-year|-|5|well|-|-|known")]
    [InlineData("non‑breaking hy‐phen", "non‑breaking|hy‐phen")]
    [InlineData("wait... what…? .", "wait|...|what|…|?|.")]
    [InlineData("he left--and never -- came back---", "he|left|--|and|never|--|came|back|---")]
    [InlineData("an em—dash – and en-dash", "an|em|—|dash|–|and|en-dash")]
    [InlineData("`` no evidence '' that", "``|no|evidence|''|that")]
    [InlineData("3.14 1,000 1,000,000.5 10:30 1/2 12/25/1960 v1.2.3", "3.14|1,000|1,000,000.5|10:30|1/2|12/25/1960|v1.2.3")]
    [InlineData("in 1990. Then 3, 4 and 5.5.", "in|1990|.|Then|3|,|4|and|5.5|.")]
    [InlineData("$1,000 50% #1 a+b=c x²", "$|1,000|50|%|#|1|a|+|b|=|c|x²")]
    [InlineData("snake_case __init__", "snake_case|__init__")]
    [InlineData("Mr. Smith U.S.", "Mr|.|Smith|U|.|S|.")]
    public void SplitsWordsAndPunctuation(string text, string expected) => Assert.Equal(expected.Split('|'), T(text));

    [Theory]
    [InlineData("end of line</s>", "end|of|line|</s>")]
    [InlineData("an <unk> word, <UNK>!", "an|<unk>|word|,|<UNK>|!")]
    [InlineData("<s> a<b>c </s>", "<s>|a|<b>|c|</s>")]
    [InlineData("x < y > z <> </> <a b>", "x|<|y|>|z|<|>|<|/|>|<|a|b|>")]
    [InlineData("<abcdefghijklmnopq>", "<|abcdefghijklmnopq|>")]
    public void TagsStayWhole(string text, string expected) => Assert.Equal(expected.Split('|'), T(text));

    [Theory]
    [InlineData("Привет, мир! Ёжик", "Привет|,|мир|!|Ёжик")]
    [InlineData("Καλημέρα, κόσμε; ΟΔΟΣ", "Καλημέρα|,|κόσμε|;|ΟΔΟΣ")]
    [InlineData("我爱北京。東京タワー", "我|爱|北|京|。|東|京|タワー")]
    [InlineData("한국어 문장입니다.", "한국어|문장입니다|.")]
    [InlineData("مرحبا، بالعالم", "مرحبا|،|بالعالم")]
    public void SplitsOtherScripts(string text, string expected) => Assert.Equal(expected.Split('|'), T(text));

    [Fact]
    public void CombiningMarksStayWithTheirLetters()
    {
        // e + combining acute, and a mark after an ASCII letter, inside and at the end of a word.
        Assert.Equal(["cafe\u0301", "nai\u0308ve", "."], T("cafe\u0301 nai\u0308ve."));
        // Devanagari with its vowel signs (spacing and non-spacing marks).
        Assert.Equal(["नमस्ते", "दुनिया", "।"], T("नमस्ते दुनिया।"));
    }

    [Fact]
    public void EmojiAreSymbolTokensWithTheirModifiers()
    {
        Assert.Equal(["great", "👍", "!"], T("great👍!"));
        Assert.Equal(["👍🏽", "ok"], T("👍🏽ok"));
        Assert.Equal(["👨‍👩‍👧", "family"], T("👨‍👩‍👧family"));
        Assert.Equal(["I", "❤️", "it", "🇫🇷"], T("I ❤️it🇫🇷"));
        Assert.Equal(["😀", "😀"], T("😀😀"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(" \t \r\n \u00A0 \u2003 \u200B \uFEFF ")]
    public void BlankLinesHaveNoTokens(string text)
    {
        Assert.Empty(T(text));
        Assert.Equal(0, Plain.Tokenize(text, new char[Tokenizer.MaxLength(text.Length)]));
    }

    [Fact]
    public void WhiteSpaceOfAnyKindSeparatesAndASoftHyphenIsDropped()
    {
        Assert.Equal(["a", "b", "c", "d", "e"], T("a\u00A0b\u2003c\u200Bd\te"));
        Assert.Equal(["cooperate"], T("co\u00ADoperate"));
    }

    [Fact]
    public void LowercaseIsCultureInvariant()
    {
        Assert.Equal(["the", "film", ",", "ΟΔΟΣ".ToLowerInvariant(), "привет", "i"], Lower.Split("The FILM, ΟΔΟΣ Привет I"));
        // .NET's invariant casing leaves the Turkish dotted capital I alone (no culture, no 'i' + combining dot) and
        // maps a plain I to i, never to the dotless ı.
        Assert.Equal(["İstanbul", "istanbul"], Lower.Split("İSTANBUL ISTANBUL"));
        Assert.Equal(["οδοσ"], Lower.Split("ΟΔΟΣ"));   // simple case mapping: no final sigma
        Assert.Equal(["don't", "<UNK>", "</s>"], Lower.Split("DON'T <UNK> </s>"));   // tags are copied as they are
    }

    [Fact]
    public void LowercaseKeepsEveryCharactersLength()
    {
        // Tokenize's output room (MaxLength) relies on it.
        for (int value = 0; value <= 0x10FFFF; value++)
        {
            if (!Rune.IsValid(value)) continue;
            var rune = new Rune(value);
            Assert.Equal(rune.Utf16SequenceLength, Rune.ToLowerInvariant(rune).Utf16SequenceLength);
            if (rune.IsBmp) Assert.Equal(Rune.ToLowerInvariant(rune).Value, char.ToLowerInvariant((char)value));   // the BMP fast path
        }
    }

    [Theory]
    [InlineData("The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election produced `` no evidence '' that any irregularities took place .")]
    [InlineData("Only a relative handful of such reports was received '' , the jury said , `` considering the widespread interest .")]
    [InlineData("It cost 1,000 dollars -- 50 % more than 1.5 times the 1960's price ; don't ask !")]
    public void BrownsTokensStayAsTheyAre(string line) => Assert.Equal(line.Split(' '), T(line));

    [Fact]
    public void TokenisingTwiceChangesNothing()
    {
        var random = new Random(7);
        string alphabet = "aZ9_'’-‐.,:/`<>!?;\"()—…$%é\u0301中タЖλ😀🏽\u200D \t\u00AD";
        var runes = alphabet.EnumerateRunes().ToArray();
        for (int trial = 0; trial < 2000; trial++)
        {
            var text = new StringBuilder();
            int length = random.Next(0, 30);
            for (int i = 0; i < length; i++) text.Append(runes[random.Next(runes.Length)].ToString());
            if (random.Next(4) == 0) text.Append(" </s> <unk>");
            foreach (var tokenizer in new[] { Plain, Lower })
            {
                var once = tokenizer.Split(text.ToString());
                var twice = tokenizer.Split(string.Join(' ', once));
                Assert.True(once.SequenceEqual(twice), $"'{text}': [{string.Join("|", once)}] then [{string.Join("|", twice)}]");
                Assert.All(once, t => Assert.False(t.Length == 0 || t.Any(char.IsWhiteSpace)));
            }
        }
    }

    [Fact]
    public void ClusterShortcutsAgreeWithTheGraphemeClusters()
    {
        // Every rune followed by a character of each category the shortcut ends a cluster on, and by some that it does not.
        string[] nexts = ["Ж", "é", "ǅ", "٣", "\u00A0", "—", "«", "»", "（", "¿", "∑", "€", "\u0301", "\u200D", "\u093F", "ᅡ", "😀", "🏽", "\uFF9E"];
        for (int value = 0x80; value <= 0x1FFFF; value++)   // planes 2 and 3 are ideographs (other letters: no shortcut)
        {
            if (!Rune.IsValid(value)) continue;
            string current = new Rune(value).ToString();
            var category = Rune.GetUnicodeCategory(new Rune(value));
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.SpaceSeparator
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator) continue;   // separators: no cluster asked
            foreach (var next in nexts)
            {
                string text = current + next + "x";
                int expected = Math.Min(StringInfo.GetNextTextElementLength(text), current.Length + next.Length);
                Assert.True(expected == Tokenizer.ClusterLength(text, 0, current.Length, category), $"U+{value:X4} then U+{char.ConvertToUtf32(next, 0):X4}");
            }
        }
    }

    [Fact]
    public void LoneSurrogatesAreSymbolsOfTheirOwn()
    {
        Assert.Equal(["a", "\uD800", "b"], T("a\uD800b"));
    }

    [Fact]
    public void OutputRoomIsChecked()
    {
        Assert.Throws<ArgumentException>(() => Plain.Tokenize("a,b", new char[5]));
        var output = new char[Tokenizer.MaxLength(3)];
        Assert.Equal(5, Plain.Tokenize(",,,", output));
        Assert.Equal(", , ,", new string(output, 0, 5));
    }
}
