using System.CommandLine;
using VecLm.Embeddings;

namespace VecLm.Cli;

/// <summary>
/// Runs the parsed command and turns every failure into one line on stderr and a non-zero exit: 2 for bad input
/// (usage, missing or malformed files, invalid values: <see cref="BadInputException"/>), 1 when the machine fails
/// the work (a full disk, another I/O error) and for a bug, which is named as one (an <see cref="ArgumentException"/>
/// that is not bad input is VecLm calling itself wrongly), 130/143/129 when Ctrl+C, SIGTERM or SIGHUP stopped the work.
/// VECLM_DEBUG=1 lets a bug's stack trace through.
/// </summary>
public static class CliRunner
{
    public const int BadInput = 2;
    public const int Failure = 1;
    public const int Interrupted = 130;

    public static int Run(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && !IsHelp(args))
        {
            Error(parsed.Errors[0].Message + " (see --help)");
            return BadInput;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (OperationCanceledException)
        {
            Error("interrupted");
            return Interrupt.LastExitCode;
        }
        catch (Exception e) when (Unwrap(e) is var inner && IsBadInput(inner))
        {
            Error(inner.Message);
            return BadInput;
        }
        catch (Exception e) when (Unwrap(e) is IOException inner)
        {
            Error(inner.Message);
            return Failure;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("VECLM_DEBUG") != "1")
        {
            var inner = Unwrap(e);
            Error($"internal error, please report it: {inner.GetType().Name}: {inner.Message} (VECLM_DEBUG=1 shows where)");
            return Failure;
        }
    }

    public static void Error(string message) =>
        Console.Error.WriteLine($"veclm: error: {message.ReplaceLineEndings(" ")}");

    public static void Warn(string message) =>
        Console.Error.WriteLine($"veclm: warning: {message.ReplaceLineEndings(" ")}");

    private static bool IsHelp(string[] args) => args.Any(a => a is "-h" or "--help" or "-?");

    private static Exception Unwrap(Exception e) =>
        e is AggregateException { InnerExceptions.Count: 1 } a ? Unwrap(a.InnerExceptions[0])
        : e is System.Reflection.TargetInvocationException { InnerException: { } t } ? Unwrap(t) : e;

    private static bool IsBadInput(Exception e) => e is FileNotFoundException or DirectoryNotFoundException
        or InvalidDataException or BadInputException or UnauthorizedAccessException or UsageException
        or PathTooLongException;
}

/// <summary>Bad input found by a command itself (an invalid combination of options, a prompt of unknown words…).</summary>
public sealed class UsageException(string message) : Exception(message);
