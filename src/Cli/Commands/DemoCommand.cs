using System.CommandLine;

namespace VecLm.Cli;

/// <summary>
/// <c>veclm demo</c>: the whole pipeline on the Brown corpus, for a first run: data, vectors, the plan's models
/// trained two at a time by child <c>veclm train</c> processes, and the comparison report.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var quick = new Option<bool>("--quick") { Description = $"Two models only (cosine, softmax), {DemoPlan.QuickTimeLimit.TotalMinutes:0} minutes of training each, side by side." };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Output folder: vectors.bin, a folder per model, logs/, report/.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("runs", "demo")) };
        var data = new Option<DirectoryInfo?>("--data") { Description = "A folder with train.txt, valid.txt and test.txt (prepared by data/prepare-brown.sh when none is there) [default: data/brown of the checkout]." };
        var timeLimit = new Option<TimeSpan?>("--time-limit") { Description = $"Training time of every model (e.g. 90s, 30m) [default: {DemoPlan.TimeLimit.TotalMinutes:0}m, --quick {DemoPlan.QuickTimeLimit.TotalMinutes:0}m].", CustomParser = r => TrainCommand.ParseDuration(r, "--time-limit") };
        var command = new Command("demo", "Run the whole pipeline on the Brown corpus: data, word2vec, the softmax baseline and the regression losses (two at a time), and the comparison report.")
        {
            quick, output, data, timeLimit,
        };
        command.SetAction(parse =>
        {
            using var cancel = Interrupt.Listen();
            try
            {
                return DemoRunner.Run(new DemoOptions(parse.GetValue(data)?.FullName, parse.GetValue(output)!.FullName,
                    parse.GetValue(quick), parse.GetValue(timeLimit)), cancel.Token);
            }
            catch (DemoFailure failure)
            {
                foreach (var line in failure.Details) Console.Error.WriteLine("    " + line);
                CliRunner.Error(failure.Message);
                return CliRunner.Failure;
            }
        });
        return command;
    }
}
