using BenchDaemon.Probes.Linux;
using BenchDaemon.Probes.Nvml;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Probes;

/// <summary>Registers the probes and the background sampler.</summary>
public static class ProbesServiceCollectionExtensions
{
    /// <summary>
    /// Adds the host probe, the NVML GPU probe (inventory, energy, clock windows; its slow loops as a hosted service), the sampler (as a hosted service and as a singleton readers can
    /// ask for) and <see cref="ProbeOptions"/> bound to the <c>Probes</c> section.
    /// </summary>
    public static IServiceCollection AddProbes(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptionsWithValidateOnStart<ProbeOptions, ProbeOptionsValidator>()
            .Bind(configuration.GetSection(ProbeOptions.SectionName), binder => binder.ErrorOnUnknownConfiguration = true);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HostProbe>();
        services.TryAddSingleton<RaplEnergyMeter>();
        services.TryAddSingleton<GpuProbe>();
        services.TryAddSingleton<IEnergyMeter, CompositeEnergyMeter>();
        services.TryAddSingleton<IGpuInventory>(sp => sp.GetRequiredService<GpuProbe>());
        services.TryAddSingleton<IGpuClockMonitor>(sp => sp.GetRequiredService<GpuProbe>());
        services.TryAddSingleton<ProbeSampler>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ProbeSampler>(sp => sp.GetRequiredService<ProbeSampler>()));
        services.TryAddSingleton<GpuSampler>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GpuSampler>(sp => sp.GetRequiredService<GpuSampler>()));
        return services;
    }
}
