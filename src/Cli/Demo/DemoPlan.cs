using System.Globalization;
using VecLm.Embeddings;
using VecLm.Evaluation;

namespace VecLm.Cli;

/// <summary>
/// One model of the demo: its name (the model folder under the demo's output, and the report's column), whether the
/// quick demo trains it, the <c>veclm train</c> arguments that make it what it is, and whether it is the open-vocabulary
/// model (subword vectors of the training text, decoding to the training words and a large word list).
/// </summary>
public sealed record DemoModel(string Name, bool Quick, IReadOnlyList<string> TrainArguments, bool Open = false);

/// <summary>Where the demo reads and writes: the data folder and the output folder's layout.</summary>
public sealed record DemoPaths(string Data, string Out)
{
    public string Train => Path.Combine(Data, "train.txt");
    public string Valid => Path.Combine(Data, "valid.txt");
    public string Test => Path.Combine(Data, "test.txt");
    public string Vectors => Path.Combine(Out, "vectors.bin");
    /// <summary>fastText subword vectors of the training text (the open model's), with the .vec beside them.</summary>
    public string SubwordVectors => Path.Combine(Out, "subword.bin");
    /// <summary>The open model's decode vocabulary: every word form of the training text and <see cref="DemoPlan.WordList"/>.</summary>
    public string DecodeVocab => Path.Combine(Out, "decode-vocab.txt");
    public string VectorsOf(DemoModel model) => model.Open ? SubwordVectors : Vectors;
    public string Logs => Path.Combine(Out, "logs");
    public string Report => Path.Combine(Out, "report");
    public string ModelDir(string name) => Path.Combine(Out, name);
    public string LogPath(string name) => Path.Combine(Logs, name + ".log");
    /// <summary>Written when a model's child exited 0: the arguments it was trained with (see <see cref="DemoRunner"/>).</summary>
    public string DonePath(string name) => Path.Combine(Logs, name + ".done");
}

/// <summary>
/// What <c>veclm demo</c> does, as data: the word2vec settings, the models (each trained by a child
/// <c>veclm train</c>, <see cref="Parallel"/> at a time, one thread each) and their time limit. A new model is one
/// more row of <see cref="Models"/>.
/// </summary>
public static class DemoPlan
{
    /// <summary>Training children at a time (each gets one thread: the machine this was made for has 2 cores).</summary>
    public const int Parallel = 2;
    public static readonly TimeSpan TimeLimit = TimeSpan.FromMinutes(15);
    /// <summary>Quick: two models side by side for 4 minutes each, so the whole quick demo stays under 10 minutes.</summary>
    public static readonly TimeSpan QuickTimeLimit = TimeSpan.FromMinutes(4);

    /// <summary>Skip-gram, 64 dimensions, words seen fewer than 3 times become &lt;unk&gt;, seed 1.</summary>
    public static readonly Word2VecOptions Embedding = new() { Dim = 64, MinCount = 3, Seed = 1 };

    /// <summary>
    /// The report's scores decode regression outputs by exact search, so they measure the models; HNSW is still
    /// timed on the same outputs and its agreement with exact search reported. (On Brown, a 4-minute cosine model
    /// scored 8.8% top-1 exact but 0.8% through HNSW at 0.89 agreement: HNSW missed the frequent words.)
    /// </summary>
    public static readonly ScoringOptions Scoring = new() { Exact = true };

    /// <summary>The full demo scores against the true words' strings too (its plan has the open model).</summary>
    public static ScoringOptions ScoringFor(bool quick) => quick ? Scoring : Scoring with { OpenVocab = true };
    public const int Examples = 20;

    public static readonly IReadOnlyList<DemoModel> Models =
    [
        //  name          quick   veclm train arguments (besides the ones every model gets: see Arguments)
        new("cosine",     true,  ["--loss", "cosine"]),
        new("softmax",    true,  ["--loss", "softmax"]),
        new("l2",         false, ["--loss", "l2"]),
        new("maxmargin",  false, ["--loss", "maxmargin"]),
        new("vmf",        false, ["--loss", "vmf"]),
        new("cosine-raw",  false, ["--loss", "cosine", "--targets", "raw"]),
        new("cosine-abtt", false, ["--loss", "cosine", "--targets", "abtt"]),
        new("sampled",    false, ["--loss", "sampled"]),                 // raw targets: the sampled loss's default
        new("open",       false, ["--loss", "sampled"], Open: true),     // subword vectors, decoding to WordList too
    ];

    /// <summary>Debian's wamerican-insane list (about 660,000 words), which data/prepare-brown.sh installs when it can.</summary>
    public const string WordList = "/usr/share/dict/american-english-insane";

    /// <summary>
    /// More epochs than any model reaches in its time limit, so the time limit alone ends every run: the budget is
    /// the same wall-clock time for all (veclm train's default of 10 epochs would stop a cosine model at 11½ minutes).
    /// </summary>
    public const string Epochs = "1000";

    public static IReadOnlyList<DemoModel> For(bool quick) => quick ? Models.Where(m => m.Quick).ToList() : Models;

    public static TimeSpan LimitFor(bool quick, TimeSpan? overrideLimit) => overrideLimit ?? (quick ? QuickTimeLimit : TimeLimit);

    /// <summary>
    /// Validation within epochs, so every learning curve of the report has points from the first minutes: every
    /// 2 minutes of a 15-minute budget, every minute of a shorter one (a validation of Brown's 200,000 tokens costs a
    /// few seconds to a few tens of seconds of the budget; the learning-rate rule still applies at epoch ends only).
    /// </summary>
    public static TimeSpan EvalEvery(TimeSpan limit) => TimeSpan.FromMinutes(limit < TimeSpan.FromMinutes(10) ? 1 : 2);

    /// <summary>
    /// The whole <c>veclm train</c> command line of <paramref name="model"/> (after <c>veclm</c>). <c>--force</c>: the
    /// demo retrains from scratch whatever is in the model's folder (<see cref="DemoRunner"/> clears it first too).
    /// </summary>
    public static IReadOnlyList<string> Arguments(DemoModel model, DemoPaths paths, TimeSpan limit) =>
    [
        "train", paths.Train, "--vectors", paths.VectorsOf(model), "-o", paths.ModelDir(model.Name), "--valid", paths.Valid,
        "--threads", "1", "--seed", "1", "--time-limit", Duration(limit), "--epochs", Epochs,
        "--eval-every", Duration(EvalEvery(limit)), "--force", .. model.TrainArguments,
        .. (model.Open ? (string[])["--decode-vocab", paths.DecodeVocab] : []),
    ];

    /// <summary>A duration as <c>veclm train --time-limit</c> reads it (seconds).</summary>
    public static string Duration(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
}
