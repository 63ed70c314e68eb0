using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Workloads.Onnx;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BenchDaemon.Workloads;

/// <summary>Registers ONNX Runtime and the canary runner.</summary>
public static class WorkloadsServiceCollectionExtensions
{
    /// <summary>Adds <see cref="OnnxRuntimeInfo"/> (bound to <c>OnnxRuntime</c>), <see cref="CudaCanaryRunner"/> (bound to <c>Cuda</c>), <see cref="CanaryRunner"/> and <see cref="ProviderUsabilityChecker"/> (whose <c>Check</c> belongs in the worker process).</summary>
    public static IServiceCollection AddWorkloads(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptionsWithValidateOnStart<OnnxRuntimeOptions, OnnxRuntimeOptionsValidator>()
            .Bind(configuration.GetSection(OnnxRuntimeOptions.SectionName), binder => binder.ErrorOnUnknownConfiguration = true);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<OnnxRuntimeInfo>();
        services.AddOptionsWithValidateOnStart<CudaOptions, CudaOptionsValidator>()
            .Bind(configuration.GetSection(CudaOptions.SectionName), binder => binder.ErrorOnUnknownConfiguration = true);
        services.TryAddSingleton<IPcieLinkReader, SysfsPcieLinkReader>();
        services.TryAddSingleton<CudaCanaryRunner>();
        services.TryAddSingleton<CanaryRunner>();
        services.TryAddSingleton<ProviderUsabilityChecker>();
        return services;
    }
}
