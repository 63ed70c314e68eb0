using Quartz.Logging;
using Serilog;
using Serilog.Events;
using QuartzLogLevel = Quartz.Logging.LogLevel;

namespace BenchDaemon.Scheduling;

/// <summary>
/// Quartz's own log provider interface, answered by Serilog's static logger. Without a provider
/// set, Quartz finds one by reflection and builds its adapter from compiled expression trees at
/// the first cron expression it parses: code generated at run time that stays resident in the
/// daemon, and that a natively compiled daemon cannot run at all.
/// </summary>
public sealed class QuartzLogBridge(Func<ILogger> logger) : ILogProvider
{
    /// <summary>
    /// Makes Quartz log through Serilog's static logger (read at each call: the daemon configures
    /// it after Quartz asked for its loggers); call before anything parses a cron expression.
    /// </summary>
    public static void Install() => LogProvider.SetCurrentLogProvider(new QuartzLogBridge(() => Log.Logger));

    /// <inheritdoc />
    public Logger GetLogger(string name) => (level, message, exception, parameters) =>
    {
        var named = logger().ForContext(Serilog.Core.Constants.SourceContextPropertyName, name);
        var serilogLevel = ToSerilog(level);
        if (message is null)
        {
            return named.IsEnabled(serilogLevel);
        }

        if (named.IsEnabled(serilogLevel))
        {
            named.Write(serilogLevel, exception, message(), parameters);
        }

        return true;
    };

    /// <inheritdoc />
    public IDisposable OpenNestedContext(string message) => NoContext.Instance;

    /// <inheritdoc />
    public IDisposable OpenMappedContext(string key, object value, bool destructure = false) => NoContext.Instance;

    /// <summary>Quartz's level as Serilog's.</summary>
    public static LogEventLevel ToSerilog(QuartzLogLevel level) => level switch
    {
        QuartzLogLevel.Trace => LogEventLevel.Verbose,
        QuartzLogLevel.Debug => LogEventLevel.Debug,
        QuartzLogLevel.Info => LogEventLevel.Information,
        QuartzLogLevel.Warn => LogEventLevel.Warning,
        QuartzLogLevel.Error => LogEventLevel.Error,
        _ => LogEventLevel.Fatal,
    };

    private sealed class NoContext : IDisposable
    {
        public static readonly NoContext Instance = new();

        public void Dispose()
        {
        }
    }
}
