using System.Globalization;
using System.Text;
using VecLm.Embeddings;
using VecLm.Embeddings.FastText;

// Writes fastText .bin files with VecLm's writer, and VecLm's own vectors of a list of words from each, for
// bench/fasttext-roundtrip to compare with what the real fastText and gensim read from the same files:
//   rewritten.bin  a fastText-made model read and written back (SubwordModel.Save: .bin, .vec, .vocab)
//   fresh.bin      a model VecLm made up: random rows, non-ASCII words, minn 3, maxn 6, 5000 buckets, cbow, hs
//   wordlevel.bin  word2vec vectors saved as a word-level fastText model (WordVectors.Save, VectorFormat.FastText)
// and NAME-veclm.txt per file: "word v1 … vd" (round-trip floats) for every word of WORDS.txt.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: FastTextRoundTrip OUT-DIR FASTTEXT.bin WORDS.txt");
    return 2;
}
string outDir = args[0];
var queries = File.ReadAllLines(args[2], Encoding.UTF8).Where(w => w.Length > 0).ToArray();

Save("rewritten", FastTextBinary.Read(args[1]));

var random = new Random(7);
var words = new List<string> { "</s>", "the", "café", "naïve", "Zürich", "日本語", "don't", "🙂", "straße", "Ελλάδα" };
words.AddRange(Enumerable.Range(0, 40).Select(i => $"w{i}"));
var settings = new FastTextArgs
{
    Dim = 10, MinN = 3, MaxN = 6, Bucket = 5000, Model = FastTextArgs.ModelCbow, Loss = FastTextArgs.LossHierarchicalSoftmax,
};
float[] Noise(int count) => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
var fresh = new SubwordModel(settings, new Vocabulary(words, words.Select((_, i) => 500L - 7 * i).ToArray()),
                             Noise((words.Count + settings.Bucket) * settings.Dim), Noise(words.Count * settings.Dim), tokenCount: 123_456);
Save("fresh", fresh);

string wordLevel = Path.Combine(outDir, "wordlevel.bin");
fresh.WordVectors().Save(wordLevel, VectorFormat.FastText);
Print("wordlevel", FastTextBinary.Read(wordLevel));
return 0;

void Save(string name, SubwordModel model)
{
    model.Save(Path.Combine(outDir, name + ".bin"));
    Print(name, model);
}

void Print(string name, SubwordModel model)
{
    var text = new StringBuilder();
    foreach (var word in queries)
        text.Append(word).Append(' ').AppendJoin(' ', model.Vector(word).Select(v => v.ToString("R", CultureInfo.InvariantCulture))).Append('\n');
    File.WriteAllText(Path.Combine(outDir, $"{name}-veclm.txt"), text.ToString(), new UTF8Encoding(false));
}
