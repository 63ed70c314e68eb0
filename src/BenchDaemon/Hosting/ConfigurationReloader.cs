using System.Text.Json;
using BenchDaemon.Cli;
using BenchDaemon.Configuration;
using BenchDaemon.Scheduling;
using BenchDaemon.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BenchDaemon.Hosting;

/// <summary>
/// Reloads the configuration on SIGHUP or when the file changes. The new configuration is
/// validated in full first, by the same validators the running options use (the registered
/// <see cref="OptionsSection"/>s and <see cref="ConfigurationPreflight"/>): if it is valid, canaries and guards are replaced without a
/// restart; if not, the reason is logged and the running configuration stays. Sections read
/// only at start (Metrics, State, Probes, Otlp, Logs, OnnxRuntime) take effect at the next
/// restart, and a change to them is logged as such. Refused reloads are counted
/// (<c>benchdaemon_config_reload_errors_total</c>) and <c>benchdaemon_config_last_reload_successful</c>
/// stays 0 until a reload is applied.
/// </summary>
public sealed partial class ConfigurationReloader(
    LoadedConfiguration live,
    CliContext source,
    IEnumerable<OptionsSection> sections,
    CanarySchedulingService scheduling,
    Workers.WorkerRuntime runtime,
    TimeProvider timeProvider,
    ILogger<ConfigurationReloader> logger) : IHostedService, IMetricSource, IDisposable
{
    /// <summary>The new configuration failed validation.</summary>
    public const string Invalid = "invalid";

    /// <summary>The reload itself failed (a bug or an I/O error while applying it).</summary>
    public const string Error = "error";

    private static readonly string[] s_restartSections = ["Metrics", "State", "Probes", "Otlp", "Logs", "OnnxRuntime"];
    private static readonly TimeSpan s_debounce = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _invalid;
    private long _failed;
    private volatile bool _lastSuccessful = true;
    private FileSystemWatcher? _watcher;
    private ITimer? _debounce;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (live.File is { } file && Path.GetDirectoryName(file) is { } directory)
        {
            _debounce = timeProvider.CreateTimer(_ => _ = ReloadAsync("file change"), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _watcher = new FileSystemWatcher(directory, Path.GetFileName(file))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size,
            };
            // Editors save in bursts (truncate, write, rename): reload once things settle.
            FileSystemEventHandler changed = (_, _) => _debounce.Change(s_debounce, Timeout.InfiniteTimeSpan);
            _watcher.Changed += changed;
            _watcher.Created += changed;
            _watcher.Renamed += (_, _) => _debounce.Change(s_debounce, Timeout.InfiniteTimeSpan);
            _watcher.EnableRaisingEvents = true;
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _watcher = null;
        _debounce?.Dispose();
        _debounce = null;
    }

    /// <summary>Validates and applies the configuration on disk; returns whether it was applied.</summary>
    public async Task<bool> ReloadAsync(string trigger)
    {
        await _gate.WaitAsync();
        try
        {
            LoadedConfiguration candidate;
            IReadOnlyList<Workloads.Canaries.CanaryDefinition> canaries;
            var warnings = new List<(string Key, string Problem)>();
            try
            {
                candidate = ConfigurationLoader.Load(source.ConfigPath, source.Overrides);
                _ = ConfigurationPreflight.Validate(sections, candidate.Configuration);
                canaries = ConfigurationPreflight.Canaries(candidate.Configuration, runtime.Current.UsabilityOrNone, warnings);
            }
            catch (Exception ex) when (ConfigurationPreflight.Translate(ex) is { } problem)
            {
                Interlocked.Increment(ref _invalid);
                _lastSuccessful = false;
                LogRejected(logger, trigger, problem.Message);
                return false;
            }

            foreach (var section in s_restartSections.Where(s => Flatten(live.Configuration.GetSection(s)) != Flatten(candidate.Configuration.GetSection(s))))
            {
                LogNeedsRestart(logger, section);
            }

            // Re-read the live layers so option monitors (Guards) see the new values.
            live.Configuration.Reload();
            await scheduling.ScheduleAsync(canaries, CancellationToken.None);
            _lastSuccessful = true;
            LogReloaded(logger, trigger, canaries.Count);
            foreach (var (key, problem) in warnings)
            {
                LogWarning(logger, trigger, key, problem);
            }

            return true;
        }
#pragma warning disable CA1031 // A reload must never take the daemon down; the reason is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _failed);
            _lastSuccessful = false;
            LogReloadFailed(logger, trigger, ex);
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Collect(IMetricWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(TelemetryCatalogue.ConfigReloadErrors, Interlocked.Read(ref _invalid), Invalid);
        writer.Write(TelemetryCatalogue.ConfigReloadErrors, Interlocked.Read(ref _failed), Error);
        writer.Write(TelemetryCatalogue.ConfigLastReloadSuccessful, _lastSuccessful ? 1 : 0);
    }

    private static string Flatten(IConfigurationSection section) =>
        JsonSerializer.Serialize(section.AsEnumerable().Where(p => p.Value is not null).OrderBy(p => p.Key, StringComparer.Ordinal).ToList(), BenchDaemonJsonContext.Default.ListKeyValuePairStringString);

    [LoggerMessage(EventId = 430, Level = LogLevel.Error, Message = "Configuration reload ({Trigger}) rejected: {Problem}; the running configuration stays in effect")]
    private static partial void LogRejected(ILogger logger, string trigger, string problem);

    [LoggerMessage(EventId = 431, Level = LogLevel.Information, Message = "Configuration reloaded ({Trigger}): {Canaries} canaries scheduled")]
    private static partial void LogReloaded(ILogger logger, string trigger, int canaries);

    [LoggerMessage(EventId = 432, Level = LogLevel.Warning, Message = "Configuration section {Section} changed; it is read at start only and takes effect after a restart")]
    private static partial void LogNeedsRestart(ILogger logger, string section);

    [LoggerMessage(EventId = 434, Level = LogLevel.Warning, Message = "Configuration reloaded ({Trigger}) with a warning: {Key}: {Problem}")]
    private static partial void LogWarning(ILogger logger, string trigger, string key, string problem);

    [LoggerMessage(EventId = 433, Level = LogLevel.Error, Message = "Configuration reload ({Trigger}) failed; the running configuration stays in effect")]
    private static partial void LogReloadFailed(ILogger logger, string trigger, Exception exception);
}
