using BenchDaemon.Configuration;
using BenchDaemon.History;
using BenchDaemon.Regression;
using BenchDaemon.Probes;
using BenchDaemon.Scheduling;
using BenchDaemon.Telemetry;
using BenchDaemon.Workers;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Workloads.Onnx;
using BenchDaemon.Workloads.Studies;
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

        // Every section with its source-generated validator; the preflight and a reload check
        // a configuration through these registrations (OptionsSection).
        services.AddOptionsSection<MetricsOptions, MetricsOptionsValidator>(configuration, MetricsOptions.SectionName);
        services.AddOptionsSection<StateOptions, StateOptionsValidator>(configuration, StateOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<StateOptions>, StateOptionsSetup>());
        services.AddOptionsSection<ProbeOptions>(ProbeOptions.SectionName);
        services.AddOptionsSection<OtlpOptions, OtlpOptionsValidator>(configuration, OtlpOptions.SectionName);
        services.AddOptionsSection<LogOptions, LogOptionsValidator>(configuration, LogOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<LogOptions>, LogOptionsSetup>());
        services.AddOptionsSection<OnnxRuntimeOptions>(OnnxRuntimeOptions.SectionName);
        services.AddOptionsSection<CudaOptions>(CudaOptions.SectionName);
        services.AddOptionsSection<WorkerOptions>(WorkerOptions.SectionName);
        services.AddOptionsSection<GuardOptions, GuardOptionsValidator>(configuration, GuardOptions.SectionName);
        services.AddOptionsSection<HistoryOptions, HistoryOptionsValidator>(configuration, HistoryOptions.SectionName);
        services.AddOptionsSection<RegressionOptions, RegressionOptionsValidator>(configuration, RegressionOptions.SectionName);
        // Defaults holds one switch: nothing for a validator to check, so no validator.
        services.AddOptions<DefaultsOptions>().Bind(configuration.GetSection(DefaultsOptions.SectionName), binder => binder.ErrorOnUnknownConfiguration = true);
        services.AddOptionsSection<DefaultsOptions>(DefaultsOptions.SectionName);
        services.AddOptionsArraySection<CanaryOptions>(CanaryOptions.SectionName, CanaryExpander.Validate);
        services.AddOptionsArraySection<StudyOptions>(StudyOptions.SectionName, ConfigurationPreflight.Study);

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
