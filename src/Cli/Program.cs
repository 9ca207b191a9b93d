using System.CommandLine;
using VecLm.Cli;

// veclm: each command lives in its own file under Commands/ and turns its options into a record for a library call.
// Tables written to a file or a pipe keep their columns whole (Spectre would wrap them to 80 characters).
if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 240;
VecLm.Regressor.NativeHeap.UseHugePages();   // before LibTorch's first allocation
var root = new RootCommand("VecLm: continuous-output language modelling — word2vec, an LSTM that regresses the next word's vector, HNSW decoding.");
root.Subcommands.Add(EmbedCommand.Create());
root.Subcommands.Add(IndexCommand.Create());
root.Subcommands.Add(NeighborsCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(CompareCommand.Create());
root.Subcommands.Add(PredictCommand.Create());
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
return CliRunner.Run(root, args);
