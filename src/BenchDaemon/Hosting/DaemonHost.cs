using System.Net;
using BenchDaemon.Configuration;
using BenchDaemon.Cli;
using BenchDaemon.History;
using BenchDaemon.Regression;
using BenchDaemon.Probes;
using BenchDaemon.Scheduling;
using BenchDaemon.Security;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Quartz;
using Quartz.Impl.Matchers;
using BenchDaemon.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Prometheus;

namespace BenchDaemon.Hosting;

/// <summary>The daemon's composition root: generic host, Kestrel for /metrics and /healthz, systemd, OTLP.</summary>
public static class DaemonHost
{
    /// <summary>Builds the daemon host from an already loaded configuration; nothing starts yet.</summary>
    public static WebApplication Build(LoadedConfiguration loaded, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        ArgumentNullException.ThrowIfNull(context);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "benchdaemon",
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });

        // Only BenchDaemon's own layers: defaults, file, BENCHDAEMON__ variables, --set.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(loaded.Configuration);

        var services = builder.Services;
        services.AddBenchDaemon(loaded.Configuration, LoggingMode.Daemon);
        services.AddSystemd();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<WebSecurity>();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<MetricsOptions>, WebSecurity>(ConfigureKestrel);
        services.AddSingleton<SamplerHealthCheck>();
        services.AddSingleton<MetricsEndpoint>();
        services.AddSingleton<DaemonEndpoints>();
        AddOtlp(services, loaded.Configuration);
        AddScheduling(services, loaded, context);

        var app = builder.Build();

        // With OTLP on, the sink's observable instruments must exist before the first export, and
        // the export monitor before the first failed export.
        _ = app.Services.GetService<OtlpMetricSink>();
        _ = app.Services.GetService<OtlpExportMonitor>();
        var security = app.Services.GetRequiredService<WebSecurity>();
        if (security.Enabled)
        {
            // Every path, /healthz included, as the Prometheus exporters do.
            app.Use(security.AuthenticateAsync);
        }

        app.Run(app.Services.GetRequiredService<DaemonEndpoints>().HandleAsync);
        return app;
    }

    /// <summary>
    /// Kestrel's limits for an endpoint that serves a handful of scrapers: GET and HEAD without
    /// a body, small headers, a bounded number of connections and streams, and a client that
    /// sends its headers slowly (slowloris) is cut off after <see cref="KestrelLimits.HeadersTimeout"/>.
    /// docs/security.md lists them.
    /// </summary>
    internal static void ConfigureKestrel(KestrelServerOptions kestrel, IOptions<MetricsOptions> metrics, WebSecurity security)
    {
        kestrel.AddServerHeader = false;
        KestrelLimits.Apply(kestrel.Limits);

        if (!ListenAddress.TryParse(metrics.Value.Listen, out var address, out _) || address is null)
        {
            return; // Validation reports it with the key.
        }

        Action<ListenOptions> listen = options =>
        {
            if (security.TlsEnabled)
            {
                options.UseHttps(security.HttpsOptions());
            }
        };
        if (address.AnyInterface)
        {
            kestrel.ListenAnyIP(address.Port, listen);
        }
        else if (address.IsLocalhost)
        {
            kestrel.ListenLocalhost(address.Port, listen);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(address.Host), address.Port, listen);
        }
    }

    private static void AddScheduling(IServiceCollection services, LoadedConfiguration loaded, CliContext context)
    {
        services.AddSingleton(loaded);
        services.AddSingleton(context);
        services.TryAddSingleton<IGpuStatusSource, GpuProbeStatusSource>();
        services.AddSingleton<DutyCycle>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricSource, DutyCycle>(sp => sp.GetRequiredService<DutyCycle>()));
        services.AddSingleton<CanaryGuards>();
        services.AddSingleton<TelemetryRecorder>();
        services.AddSingleton<CanaryResultSink>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricSource, CanaryResultSink>(sp => sp.GetRequiredService<CanaryResultSink>()));
        services.AddSingleton<HistoryDatabase>();
        services.AddSingleton<ModelHashCache>();
        services.AddSingleton<FingerprintProvider>();
        services.AddSingleton<RegressionMonitor>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricSource, RegressionMonitor>(sp => sp.GetRequiredService<RegressionMonitor>()));
        // Open regressions are re-read from the store on the monitor's own timer (a scrape does no I/O).
        services.AddHostedService(sp => sp.GetRequiredService<RegressionMonitor>());
        services.AddSingleton<HistoryRecorder>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricSource, HistoryRecorder>(sp => sp.GetRequiredService<HistoryRecorder>()));
        services.AddSingleton<CanaryResults>();
        services.AddSingleton<CadencePlanner>();
        services.AddSingleton<CanaryCoordinator>();
        services.AddQuartz(quartz =>
        {
            quartz.SchedulerName = "benchdaemon";
            quartz.UseInMemoryStore();
            // A waiting canary holds a Quartz slot while it queues for its device: enough slots
            // that the per-device queues (Guards:QueueLength, at most 100) decide, not Quartz.
            quartz.UseDefaultThreadPool(pool => pool.MaxConcurrency = 256);
            // A firing late by more than this is a misfire (skipped and counted, CanarySchedules) rather
            // than a backlog replayed in a burst.
            quartz.MisfireThreshold = TimeSpan.FromSeconds(1);
            // The firings a misfire drops are counted as skipped runs (reason misfire).
            quartz.AddTriggerListener<CanaryMisfireListener>(GroupMatcher<TriggerKey>.GroupEquals(CanaryJob.Group));
        });
        services.AddQuartzHostedService(options =>
        {
            // A stopping daemon cancels the running canary (recorded as failed: shutdown) and waits for it.
            options.WaitForJobsToComplete = true;
        });
        // With no canaries configured, the built-in defaults for the providers the workers' ONNX Runtime has.
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<CanarySchedulingService>(
            sp,
            (Func<CancellationToken, Task<IReadOnlyList<Workloads.Canaries.CanaryDefinition>>>)(async token =>
                ConfigurationPreflight.Canaries(loaded.Configuration, (await sp.GetRequiredService<Workers.WorkerRuntime>().DescribeAsync(token)).UsabilityOrNone))));
        services.AddHostedService(sp => sp.GetRequiredService<CanarySchedulingService>());
        services.AddSingleton<ClockStepMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<ClockStepMonitor>());
        services.AddHostedService<HeapCompactionService>();
        // Scheduled studies (section Studies): read at start; each cell waits for its device's canary lane.
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<StudyService>(sp, ConfigurationPreflight.Studies(loaded.Configuration)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricSource, StudyService>(sp => sp.GetRequiredService<StudyService>()));
        services.AddHostedService<StudySchedulingService>();
        services.AddSingleton<ConfigurationReloader>();
        services.AddHostedService(sp => sp.GetRequiredService<ConfigurationReloader>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricSource, ConfigurationReloader>(sp => sp.GetRequiredService<ConfigurationReloader>()));
    }

    private static void AddOtlp(IServiceCollection services, IConfiguration configuration)
    {
        // A malformed value here is reported by the preflight with its key; until then, off.
        if (!bool.TryParse(configuration[$"{OtlpOptions.SectionName}:{nameof(OtlpOptions.Enabled)}"], out var enabled) || !enabled)
        {
            return;
        }

        services.AddSingleton<OtlpExportMonitor>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricSource, OtlpExportMonitor>(sp => sp.GetRequiredService<OtlpExportMonitor>()));
        services.AddSingleton<OtlpMetricSink>();
        services.AddOptions<OtlpExporterOptions>().Configure<IOptions<OtlpOptions>>((exporter, options) => OtlpSettings.Apply(exporter, options.Value));
        services.AddOptions<MetricReaderOptions>().Configure<IOptions<OtlpOptions>>((reader, options) =>
        {
            reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
            reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.Value.Interval.TotalMilliseconds;
            reader.PeriodicExportingMetricReaderOptions.ExportTimeoutMilliseconds = (int)options.Value.Timeout.TotalMilliseconds;
        });
        services.ConfigureOpenTelemetryMeterProvider((sp, builder) => OtlpSettings.AddHistogramView(builder, sp.GetRequiredService<IOptions<OtlpOptions>>().Value));
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("benchdaemon", serviceVersion: BuildInfoSource.Version, serviceInstanceId: Environment.MachineName))
            .WithMetrics(metrics => metrics
                .AddMeter(OtlpMetricSink.MeterName)
                .AddOtlpExporter())
            .WithTracing(tracing => tracing
                .AddSource(Workloads.Canaries.CanaryRunner.ActivitySourceName)
                .AddOtlpExporter());

    }
}
