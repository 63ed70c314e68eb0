using BenchDaemon.Configuration;
using BenchDaemon.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BenchDaemon.Cli;

/// <summary>Loads and validates the configuration and builds the services of a one-shot verb.</summary>
public static class CommandServices
{
    /// <summary>
    /// Returns a validated service provider; throws <see cref="ConfigurationException"/> for a
    /// configuration problem, before anything has been done.
    /// </summary>
    public static (ServiceProvider Services, LoadedConfiguration Loaded) Build(CliContext context, LoggingMode mode)
    {
        ArgumentNullException.ThrowIfNull(context);
        var loaded = ConfigurationLoader.Load(context.ConfigPath, context.Overrides);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(loaded.Configuration);
        services.AddBenchDaemon(loaded.Configuration, mode);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        try
        {
            ConfigurationPreflight.Validate(provider, loaded.Configuration);
        }
        catch
        {
            provider.Dispose();
            throw;
        }

        return (provider, loaded);
    }
}
