using BenchDaemon.Configuration;
using BenchDaemon.History;
using BenchDaemon.Regression;
using BenchDaemon.Probes;
using BenchDaemon.Scheduling;
using BenchDaemon.Telemetry;
using BenchDaemon.Workers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Prometheus;
using Serilog;

namespace BenchDaemon.Hosting;

/// <summary>The registrations every verb shares: options, probes, telemetry, logging.</summary>
public static class BenchDaemonServices
{
    /// <summary>Adds BenchDaemon's services for a verb that logs as <paramref name="mode"/>.</summary>
    public static IServiceCollection AddBenchDaemon(this IServiceCollection services, IConfiguration configuration, LoggingMode mode)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);

        services.AddOptionsWithValidateOnStart<MetricsOptions, MetricsOptionsValidator>()
            .Bind(configuration.GetSection(MetricsOptions.SectionName));
        services.AddOptionsWithValidateOnStart<StateOptions, StateOptionsValidator>()
            .Bind(configuration.GetSection(StateOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<StateOptions>, StateOptionsSetup>());
        services.AddOptionsWithValidateOnStart<OtlpOptions, OtlpOptionsValidator>()
            .Bind(configuration.GetSection(OtlpOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OtlpOptions>, OtlpEndpointValidator>());
        services.AddOptionsWithValidateOnStart<LogOptions, LogOptionsValidator>()
            .Bind(configuration.GetSection(LogOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<LogOptions>, LogOptionsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LogOptions>, LogDirectoryValidator>());

        services.AddOptions<GuardOptions>().Bind(configuration.GetSection(GuardOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GuardOptions>, GuardOptionsValidator>());

        services.AddOptionsWithValidateOnStart<HistoryOptions, HistoryOptionsValidator>()
            .Bind(configuration.GetSection(HistoryOptions.SectionName));
        services.AddOptionsWithValidateOnStart<RegressionOptions, RegressionOptionsValidator>()
            .Bind(configuration.GetSection(RegressionOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RegressionOptions>, RegressionOptionsRelationsValidator>());

        services.AddProbes(configuration);

        // Canaries, study cells and model generation run in worker processes: this process never
        // loads ONNX Runtime, CUDA or cuBLAS (docs/workers.md).
        services.AddWorkers(configuration);
        services.TryAddSingleton(_ => Metrics.NewCustomRegistry());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricSource, BuildInfoSource>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricSource, HostMetricSource>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricSource, GpuMetricSource>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricSource, ProcessMetricSource>());
        services.TryAddSingleton<PrometheusMetricSink>();

        services.TryAddSingleton(sp => new LogFileHealth(sp.GetRequiredService<TimeProvider>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricSource, LogFileHealth>(sp => sp.GetRequiredService<LogFileHealth>()));
        services.AddLogging();
        services.AddSerilog((provider, logger) => LoggingSetup.Configure(
            logger,
            configuration,
            provider.GetRequiredService<IOptions<LogOptions>>().Value,
            mode,
            provider.GetRequiredService<LogFileHealth>()));
        return services;
    }
}
