using BenchDaemon.Probes.Linux;
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
    /// Adds the host probe, the sampler (as a hosted service and as a singleton readers can
    /// ask for) and <see cref="ProbeOptions"/> bound to the <c>Probes</c> section.
    /// </summary>
    public static IServiceCollection AddProbes(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptionsWithValidateOnStart<ProbeOptions, ProbeOptionsValidator>()
            .Bind(configuration.GetSection(ProbeOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HostProbe>();
        services.TryAddSingleton<IEnergyMeter, RaplEnergyMeter>();
        services.TryAddSingleton<IGpuInventory, NoGpuInventory>();
        services.TryAddSingleton<ProbeSampler>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ProbeSampler>(sp => sp.GetRequiredService<ProbeSampler>()));
        return services;
    }
}
