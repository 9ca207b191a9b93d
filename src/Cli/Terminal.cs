using Spectre.Console;

namespace VecLm.Cli;

/// <summary>Whether to draw progress bars: only on an interactive terminal, never in CI or when redirected.</summary>
public static class Terminal
{
    public static bool Interactive =>
        !Console.IsErrorRedirected && !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))
        && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>
    /// Runs <paramref name="work"/> with a progress bar (on a terminal) that the work updates through the callback:
    /// fraction done in [0, 1] and a short status text. Off a terminal the callback does nothing.
    /// </summary>
    public static T WithProgress<T>(string title, Func<Action<double, string>, T> work)
    {
        if (!Interactive) return work((_, _) => { });
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                     new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: 1.0);
                result = work((fraction, status) =>
                {
                    task.Value = Math.Clamp(fraction, 0, 1);
                    task.Description = Markup.Escape($"{title} {status}");
                });
                task.Value = 1.0;
            });
        return result;
    }
}
