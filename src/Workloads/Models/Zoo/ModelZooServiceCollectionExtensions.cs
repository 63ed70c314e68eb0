using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Workloads.Models.Zoo;

/// <summary>Registers the <see cref="ModelZoo"/>.</summary>
public static class ModelZooServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="ModelZoo"/> as a singleton (one in-memory record of verified files per
    /// process) with <see cref="ModelZooOptions"/>, validated on start. When
    /// <see cref="ModelZooOptions.CacheDirectory"/> is not set otherwise, it comes from
    /// <paramref name="cacheDirectory"/>: the host passes its state directory.
    /// </summary>
    public static IServiceCollection AddModelZoo(this IServiceCollection services, Func<IServiceProvider, string> cacheDirectory)
    {
        ArgumentNullException.ThrowIfNull(cacheDirectory);
        services.AddOptionsWithValidateOnStart<ModelZooOptions, ModelZooOptionsValidator>()
            .Configure<IServiceProvider>((options, provider) =>
            {
                if (string.IsNullOrWhiteSpace(options.CacheDirectory))
                {
                    options.CacheDirectory = cacheDirectory(provider);
                }
            });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new ModelZoo(
            provider.GetRequiredService<IOptions<ModelZooOptions>>().Value.CacheDirectory!,
            provider.GetService<ILogger<ModelZoo>>() ?? NullLogger<ModelZoo>.Instance,
            provider.GetRequiredService<TimeProvider>()));
        return services;
    }
}
