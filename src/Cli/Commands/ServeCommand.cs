using System.CommandLine;
using VecLm.Serving;

namespace VecLm.Cli;

/// <summary>
/// <c>veclm serve</c>: the models side by side in a web page and a JSON API (<see cref="ServeApp"/>), until Ctrl+C or
/// SIGTERM stops it cleanly (requests in flight finish; exit 0).
/// </summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var models = new Argument<DirectoryInfo[]>("models") { Description = "One or more model folders written by veclm train, shown side by side.", Arity = ArgumentArity.OneOrMore };
        var host = new Option<string>("--host") { Description = "The address to listen on: 127.0.0.1 (this machine only), another IP address, or * (every interface).", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "The TCP port (0: a free one, printed).", DefaultValueFactory = _ => 5000 };
        var vectors = new Option<FileInfo?>("--vectors") { Description = "The vectors the models were trained with [default: each model's own]." };
        var decoder = DecodeOptions.Decoder("exact search below 30,000 words; from there HNSW once the model has its index");
        var command = new Command("serve", "Serve the models in a web page (type a context, watch each model answer) and a JSON API (/api/predict, /api/generate, /api/neighbors, /api/models; /openapi/v1.json).")
        {
            models, host, port, vectors, decoder,
        };
        var tokenize = new TokenizeOptions("contexts", TokenizeOptions.ForModels);
        tokenize.AddTo(command);
        command.SetAction(parse =>
        {
            var folders = parse.GetValue(models)!.Select(d => d.FullName).ToList();
            var tokenizer = tokenize.ReadFor(parse, folders);
            var options = new ServeOptions(parse.GetValue(host)!, parse.GetValue(port));
            // One LibTorch (OpenMP) thread: requests are batched onto one worker, and OpenMP's idle threads spin, taking
            // the core that the HTTP and decoding work needs (bench/serve, cosine at 50 connections: p99 56–76 ms with
            // the default, 33 ms with one thread).
            TorchSharp.torch.set_num_threads(1);
            bool? exact = DecodeOptions.ExactOf(parse, decoder);
            ServeApp.CheckPortIsFree(options);   // before the models load, which can take minutes at a million words
            using var set = ModelSet.Load(folders, parse.GetValue(vectors)?.FullName,
                ApiLimits.Default, name => { if (Terminal.Interactive) Console.Error.WriteLine($"loaded {name}"); },
                model => DecodeOptions.ApplyDecoder(model, exact), tokenizer);
            using var interrupt = Interrupt.Listen();
            var app = ServeApp.Build(set, options);
            ServeApp.RunAsync(app, url => Console.WriteLine($"serving {set.Models.Count} model{(set.Models.Count == 1 ? "" : "s")} on {url} (Ctrl+C stops)"),
                interrupt.Token).GetAwaiter().GetResult();
            Console.Error.WriteLine($"veclm: stopped ({interrupt.SignalName})");
            return 0;
        });
        return command;
    }
}
