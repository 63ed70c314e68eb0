using System.Net.Sockets;
using System.Runtime.InteropServices;
using BenchDaemon.Configuration;
using BenchDaemon.Hosting;
using BenchDaemon.Scheduling;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Cli;

/// <summary><c>benchdaemon run</c>: the daemon, until SIGTERM or SIGINT.</summary>
public static partial class RunVerb
{
    public static async Task<int> ExecuteAsync(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var loaded = ConfigurationLoader.Load(context.ConfigPath, context.Overrides);
        await using var app = DaemonHost.Build(loaded, context);
        var warnings = ConfigurationPreflight.Validate(app.Services, loaded.Configuration);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("BenchDaemon");
        foreach (var (key, problem) in warnings)
        {
            LogConfigurationWarning(logger, key, problem);
        }

        // SIGHUP reloads the configuration (canaries, guards); its default action would kill the daemon.
        var reloader = app.Services.GetRequiredService<ConfigurationReloader>();
        var security = app.Services.GetRequiredService<Security.WebSecurity>();
        using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal =>
        {
            signal.Cancel = true;
            LogHangup(logger);
            _ = reloader.ReloadAsync("SIGHUP");
            // The web-config file (certificate, users) is re-read too; a bad one is logged and the old settings stay.
            security.Reload();
        });
        try
        {
            await app.StartAsync();
        }
        catch (IOException ex) when (IsAddressInUse(ex))
        {
            var listen = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value.Listen;
            throw new ConfigurationException($"{MetricsOptions.SectionName}:{nameof(MetricsOptions.Listen)}", $"{listen} is already in use by another process", ex);
        }

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var endpoints = string.Join(", ", addresses.Select(a => a + "/metrics"));
        var stateDirectory = app.Services.GetRequiredService<IOptions<StateOptions>>().Value.Directory;
        LogStarted(logger, Telemetry.BuildInfoSource.Version, endpoints, stateDirectory, loaded.File ?? "none (built-in defaults)");
        await app.WaitForShutdownAsync();
        LogStopped(logger);
        return ExitCodes.Ok;
    }

    private static bool IsAddressInUse(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || e.GetType().Name == "AddressInUseException")
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "BenchDaemon {Version} started: metrics at {Endpoints}, state in {StateDirectory}, configuration file {ConfigFile}")]
    private static partial void LogStarted(ILogger logger, string version, string endpoints, string? stateDirectory, string configFile);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "SIGHUP received: reloading the configuration")]
    private static partial void LogHangup(ILogger logger);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Configuration warning: {Key}: {Problem}")]
    private static partial void LogConfigurationWarning(ILogger logger, string key, string problem);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "BenchDaemon stopped")]
    private static partial void LogStopped(ILogger logger);
}
