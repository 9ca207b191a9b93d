using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using VecLm.Decoder;
using VecLm.Embeddings;

namespace VecLm.Cli;

/// <summary>
/// <c>veclm neighbors</c>: the nearest words of words (as word2vec's <c>distance</c>), of an analogy (as gensim's
/// most_similar), or of every vector of a query file (rows <c>query rank word cosine</c>), through an HNSW index
/// (loaded, or built in memory) or exact search. With a fastText <c>.bin</c>, a WORD outside its dictionary is answered
/// from the vector of its n-grams, and the output says so.
/// </summary>
public static class NeighborsCommand
{
    private sealed record Request(string Vectors, string? Index, string[] Words, string[] Positive, string[] Negative,
                                  string? QueryFile, string? Output, int K, int Ef, bool Exact, bool Force, int Threads);

    public static Command Create()
    {
        var vectors = new Option<FileInfo>("--vectors") { Description = "Word vectors (word2vec binary or text, a fastText .bin, GloVe text, a Spark Word2VecModel folder; detected).", Required = true };
        var index = new Option<FileInfo?>("--index") { Description = "An index saved by veclm index from these vectors (else one is built in memory)." };
        var words = new Argument<string[]>("words") { Description = "Words whose neighbours to show.", Arity = ArgumentArity.ZeroOrMore };
        var positive = new Option<string[]>("--positive") { Description = "Analogy: words added (king woman).", AllowMultipleArgumentsPerToken = true };
        var negative = new Option<string[]>("--negative") { Description = "Analogy: words subtracted (man).", AllowMultipleArgumentsPerToken = true };
        var queryFile = new Option<FileInfo?>("--query-file") { Description = "Query vectors in word2vec text format; writes query, rank, word, cosine rows." };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Where to write the --query-file rows (default: stdout)." };
        var k = new Option<int>("-k") { Description = "Neighbours per query.", DefaultValueFactory = _ => 10 };
        var threads = new Option<int>("--threads") { Description = "Threads searching a --query-file (and building an index in memory) [default: all cores].", DefaultValueFactory = _ => Environment.ProcessorCount };
        var ef = new Option<int>("--ef") { Description = "HNSW search breadth (at least k is used).", DefaultValueFactory = _ => 64 };
        var exact = new Option<bool>("--exact") { Description = "Brute-force search instead of HNSW." };
        var force = new Option<bool>("--force") { Description = "Replace the -o file if it exists (without it, an existing file is an error)." };

        var command = new Command("neighbors", "Nearest words by cosine: of words, of an analogy, or of query vectors.")
        {
            vectors, index, words, positive, negative, queryFile, output, k, ef, exact, force, threads,
        };
        command.SetAction(parse => Run(new Request(parse.GetValue(vectors)!.FullName, parse.GetValue(index)?.FullName,
            parse.GetValue(words) ?? [], parse.GetValue(positive) ?? [], parse.GetValue(negative) ?? [],
            parse.GetValue(queryFile)?.FullName, parse.GetValue(output)?.FullName, parse.GetValue(k), parse.GetValue(ef),
            parse.GetValue(exact), parse.GetValue(force), parse.GetValue(threads))));
        return command;
    }

    private static int Run(Request r)
    {
        if (r.K < 1) throw new UsageException($"-k must be at least 1 (got {r.K})");
        if (r.Ef < 1) throw new UsageException($"--ef must be at least 1 (got {r.Ef})");
        if (r.Threads < 1) throw new UsageException($"--threads must be at least 1 (got {r.Threads})");
        bool analogy = r.Positive.Length + r.Negative.Length > 0;
        int modes = (r.Words.Length > 0 ? 1 : 0) + (analogy ? 1 : 0) + (r.QueryFile is null ? 0 : 1);
        if (modes != 1) throw new UsageException("give exactly one of: WORDs, --positive/--negative, --query-file");
        if (r.Exact && r.Index is not null) throw new UsageException("--exact and --index exclude each other");
        if (r.Output is not null && r.QueryFile is null) throw new UsageException("-o goes with --query-file");
        if (r.Output is not null) OutputPath.EnsureNew(r.Force, r.Output);
        if (!r.Exact) HnswIndex.PrepareSearch();   // compiled while the queries and vectors are read
        var query = r.QueryFile is null ? null : QueryFile.Read(r.QueryFile);
        var (words, subwords) = VectorsInput.LoadWithSubwords(r.Vectors);
        if (query is not null && query.Dim != words.Dim)
            throw new InvalidDataException($"{r.QueryFile}: queries have dimension {query.Dim}, the vectors {words.Dim}");
        var decoder = new WordDecoder(words, OpenIndex(r, words));

        if (query is not null) return SearchFile(decoder, query, r);
        var unknown = r.Words.Concat(r.Positive).Concat(r.Negative).Where(w => !words.Vocabulary.Contains(w)).Distinct().ToList();
        // A fastText model gives an unknown WORD (not an analogy's) the mean of its n-grams' rows, if it has n-grams.
        var built = analogy || subwords is null ? new HashSet<string>() : unknown.Where(w => subwords.Rows(w).Length > 0).ToHashSet();
        foreach (var word in unknown.Where(w => !built.Contains(w))) CliRunner.Warn($"'{word}' is not in the vocabulary");
        if (analogy)
        {
            if (unknown.Count > 0) return CliRunner.BadInput;
            Print(decoder, decoder.MostSimilar(r.Positive, r.Negative, r.K));
            return 0;
        }
        foreach (var word in r.Words.Where(w => words.Vocabulary.Contains(w) || built.Contains(w)))
        {
            if (words.Vocabulary.TryGetId(word, out int id))
            {
                Console.WriteLine($"Word: {word}  Position in vocabulary: {id}");
                Print(decoder, decoder.Nearest(word, r.K));
            }
            else
            {
                int n = subwords!.Rows(word).Length;
                Console.WriteLine($"'{word}' is not in the vocabulary: its vector is built from {n} subword{(n == 1 ? "" : "s")}");
                Print(decoder, decoder.Decode(subwords.Vector(word), r.K));
            }
            Console.WriteLine();
        }
        return unknown.Count - built.Count == r.Words.Distinct().Count() ? CliRunner.BadInput : 0;
    }

    private static IVectorIndex OpenIndex(Request r, WordVectors words)
    {
        if (r.Exact) return new ExactIndex(words.Data, words.Dim) { Threads = r.Threads };
        var hnsw = r.Index is not null
            ? HnswIndex.Load(r.Index, words.Data, words.Dim)
            : IndexCommand.Build(words, new HnswOptions(Threads: r.Threads));
        hnsw.DefaultEf = r.Ef;
        hnsw.Threads = r.Threads;
        return hnsw;
    }

    private static void Print(WordDecoder decoder, IEnumerable<Neighbor> hits)
    {
        foreach (var hit in hits) Console.WriteLine($"{decoder.Word(hit),-30}\t{hit.Cosine.ToString("0.000000", CultureInfo.InvariantCulture)}");
    }

    /// <summary>Every query row against the index (timed alone), then the rows written.</summary>
    private static int SearchFile(WordDecoder decoder, QueryFile query, Request r)
    {
        var clock = Stopwatch.StartNew();
        var hits = decoder.DecodeBatch(query.Data, r.K);
        double seconds = clock.Elapsed.TotalSeconds;
        void Write(TextWriter writer)
        {
            for (int i = 0; i < hits.Length; i++)
                for (int rank = 0; rank < hits[i].Length; rank++)
                    writer.Write($"{query.Labels[i]}\t{rank + 1}\t{decoder.Word(hits[i][rank])}\t"
                                 + $"{hits[i][rank].Cosine.ToString("0.000000", CultureInfo.InvariantCulture)}\n");
        }
        if (r.Output is null) Write(Console.Out);
        else AtomicFile.Write(r.Output, stream => { using var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16); Write(w); });
        double perSecond = query.Count / Math.Max(seconds, 1e-9);
        Console.Error.WriteLine($"searched {query.Count} queries in {seconds:0.000} s on {r.Threads} thread{(r.Threads == 1 ? "" : "s")}: "
                                + $"{perSecond:0} queries/s ({perSecond / r.Threads:0} per thread)");
        return 0;
    }
}
