using System.CommandLine;
using System.Diagnostics;
using VecLm.Decoder;
using VecLm.Embeddings;

namespace VecLm.Cli;

/// <summary><c>veclm index</c>: builds the HNSW graph over a vectors file and saves it beside them.</summary>
public static class IndexCommand
{
    public static Command Create()
    {
        var vectors = new Option<FileInfo>("--vectors") { Description = "Word vectors (word2vec binary or text, a fastText .bin, GloVe text, a Spark Word2VecModel folder; detected).", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the index (load it with the same vectors file).", Required = true };
        var m = new Option<int>("--m") { Description = "Links per node on the upper layers (2·M on layer 0).", DefaultValueFactory = _ => 16 };
        var efConstruction = new Option<int>("--ef-construction") { Description = "Candidates searched per insertion.", DefaultValueFactory = _ => 200 };
        var threads = new Option<int>("--threads") { Description = "Inserting threads.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var force = new Option<bool>("--force") { Description = "Replace the index file if it exists (without it, an existing file is an error)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the level generator; with --threads 1 the index is reproducible.", DefaultValueFactory = _ => 100 };

        var command = new Command("index", "Build an HNSW index over word vectors (cosine similarity).")
        {
            vectors, output, m, efConstruction, threads, seed, force,
        };
        command.SetAction(parse =>
        {
            var options = new HnswOptions(parse.GetValue(m), parse.GetValue(efConstruction), parse.GetValue(seed),
                                          parse.GetValue(threads)).Validated();
            string input = parse.GetValue(vectors)!.FullName, target = parse.GetValue(output)!.FullName;
            OutputPath.EnsureNew(parse.GetValue(force), target);
            var words = VectorsInput.Load(input);
            var index = Build(words, options);
            index.Save(target);
            Console.WriteLine($"indexed {words.Count:N0} vectors × {words.Dim} (M {options.M}, efConstruction "
                              + $"{options.EfConstruction}, {index.MaxLevel + 1} layers) → {target}");
            return 0;
        });
        return command;
    }

    /// <summary>Builds with a progress bar on a terminal and the build time on stderr.</summary>
    public static HnswIndex<CosineDistance> Build(WordVectors words, HnswOptions options)
    {
        var clock = Stopwatch.StartNew();
        var index = Terminal.WithProgress("indexing", report => HnswIndex.Build(words.Data, words.Dim, options,
            done => report((double)done / Math.Max(1, words.Count), $"{done:N0}/{words.Count:N0}")));
        Console.Error.WriteLine($"built the HNSW index of {words.Count:N0} vectors in {clock.Elapsed.TotalSeconds:0.00} s "
                                + $"({options.Threads} thread{(options.Threads == 1 ? "" : "s")})");
        return index;
    }
}
