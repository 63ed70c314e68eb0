using Spectre.Console;

namespace BenchDaemon.Cli;

/// <summary>What every verb gets: the global options and where to write.</summary>
/// <param name="ConfigPath">The <c>--config</c> value, or null for the default file.</param>
/// <param name="Overrides">The <c>--set KEY=VALUE</c> values.</param>
/// <param name="Out">Standard output (tables, JSON).</param>
/// <param name="Error">Standard error (diagnostics).</param>
public sealed record CliContext(string? ConfigPath, IReadOnlyList<string> Overrides, TextWriter Out, TextWriter Error)
{
    /// <summary>A Spectre console over <see cref="Out"/> that only uses colour on a terminal.</summary>
    public IAnsiConsole CreateConsole()
    {
        var terminal = ReferenceEquals(Out, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Out),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });

        // Redirected output has no width: do not wrap tables at 80 columns in files and pipes.
        if (!terminal)
        {
            console.Profile.Width = 240;
        }

        return console;
    }
}
