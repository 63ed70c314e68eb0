using BenchDaemon.Configuration;
using BenchDaemon.Probes;
using BenchDaemon.Telemetry;
using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Workloads.Onnx;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serilog.Events;

namespace BenchDaemon.Workers;

/// <summary>Registers the worker processes every verb runs canaries, study cells and model generation in.</summary>
public static class WorkerServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="WorkerOptions"/> (section <c>Workers</c>), the <see cref="WorkerSettings"/>
    /// a worker is started with, <see cref="WorkerPool"/> (as <see cref="ICanaryExecutor"/> and a
    /// metric source) and <see cref="WorkerRuntime"/>.
    /// </summary>
    public static IServiceCollection AddWorkers(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptionsWithValidateOnStart<WorkerOptions, WorkerOptionsValidator>()
            .Bind(configuration.GetSection(WorkerOptions.SectionName), binder => binder.ErrorOnUnknownConfiguration = true);
        services.AddOptionsWithValidateOnStart<OnnxRuntimeOptions, OnnxRuntimeOptionsValidator>()
            .Bind(configuration.GetSection(OnnxRuntimeOptions.SectionName), binder => binder.ErrorOnUnknownConfiguration = true);
        services.AddOptionsWithValidateOnStart<CudaOptions, CudaOptionsValidator>()
            .Bind(configuration.GetSection(CudaOptions.SectionName), binder => binder.ErrorOnUnknownConfiguration = true);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => WorkerCommand.Current());
        services.TryAddSingleton(sp => new WorkerSettings(
            sp.GetRequiredService<IOptions<StateOptions>>().Value.Directory!,
            sp.GetRequiredService<IOptions<OnnxRuntimeOptions>>().Value,
            sp.GetRequiredService<IOptions<CudaOptions>>().Value,
            sp.GetRequiredService<IOptions<ProbeOptions>>().Value,
            Level(sp.GetRequiredService<IOptions<LogOptions>>().Value.Level),
            sp.GetRequiredService<IOptions<OtlpOptions>>().Value.Enabled));
        services.TryAddSingleton<WorkerPool>();
        services.TryAddSingleton<ICanaryExecutor>(sp => sp.GetRequiredService<WorkerPool>());
        services.TryAddSingleton<IProcessFamily>(sp => sp.GetRequiredService<WorkerPool>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricSource, WorkerPool>(sp => sp.GetRequiredService<WorkerPool>()));
        services.TryAddSingleton<WorkerRuntime>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMetricSource, WorkerRuntime>(sp => sp.GetRequiredService<WorkerRuntime>()));
        return services;
    }

    private static LogLevel Level(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose => LogLevel.Trace,
        LogEventLevel.Debug => LogLevel.Debug,
        LogEventLevel.Information => LogLevel.Information,
        LogEventLevel.Warning => LogLevel.Warning,
        LogEventLevel.Error => LogLevel.Error,
        _ => LogLevel.Critical,
    };
}
