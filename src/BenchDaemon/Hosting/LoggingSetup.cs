using BenchDaemon.Configuration;
using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Configuration;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace BenchDaemon.Hosting;

/// <summary>Configures Serilog from <see cref="LogOptions"/> and the optional <c>Serilog</c> section.</summary>
public static class LoggingSetup
{
    /// <summary>The rolling file's name pattern; Serilog inserts the date before the extension.</summary>
    public const string FileName = "benchdaemon-.clef";

    private const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    private static readonly Serilog.Settings.Configuration.ConfigurationReaderOptions s_serilogSection = new([.. SerilogSection.Assemblies]);

    /// <summary>
    /// Applies the sinks for <paramref name="mode"/> to <paramref name="logger"/>; the file sink's
    /// failures go to <paramref name="fileHealth"/> when given.
    /// </summary>
    public static void Configure(LoggerConfiguration logger, IConfiguration configuration, LogOptions logs, LoggingMode mode, LogFileHealth? fileHealth = null)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(logs);
        logger.MinimumLevel.Is(logs.Level)
            // The framework's own chatter (routing, Kestrel connections) only when it matters.
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .MinimumLevel.Override("System", LogEventLevel.Warning)
            .MinimumLevel.Override("Quartz", LogEventLevel.Warning)
            .Enrich.FromLogContext();

        if (mode == LoggingMode.Daemon)
        {
            if (logs.Console)
            {
                logger.WriteTo.Console(outputTemplate: ConsoleTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        else
        {
            // stdout carries the verb's output (tables, JSON); diagnostics go to stderr.
            logger.WriteTo.Console(
                outputTemplate: ConsoleTemplate,
                formatProvider: System.Globalization.CultureInfo.InvariantCulture,
                restrictedToMinimumLevel: LogEventLevel.Warning,
                standardErrorFromLevel: LogEventLevel.Verbose);
        }

        if (logs.File && mode != LoggingMode.Quiet)
        {
            var directory = logs.Directory ?? ".";
            Action<LoggerSinkConfiguration> file = to => to.File(
                new CompactJsonFormatter(),
                Path.Combine(directory, FileName),
                fileSizeLimitBytes: logs.FileSizeLimitBytes,
                rollOnFileSizeLimit: true,
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: logs.RetainedFileCount,
                shared: false,
                flushToDiskInterval: TimeSpan.FromSeconds(1),
                hooks: new WholeEventStream.Hooks(Path.GetFullPath(directory)));
            if (fileHealth is null)
            {
                file(logger.WriteTo);
            }
            else
            {
                logger.WriteTo.Sink(LoggerSinkConfiguration.Wrap(sink => fileHealth.Watch(sink, directory), file));
            }
        }

        // Users extend or override the built-in sinks with a standard Serilog section; a read-only
        // verb keeps to stderr and sends nothing to the user's sinks.
        if (mode != LoggingMode.Quiet && configuration.GetSection(SerilogSection.Name).Exists())
        {
            logger.ReadFrom.Configuration(configuration, s_serilogSection);
        }
    }
}
