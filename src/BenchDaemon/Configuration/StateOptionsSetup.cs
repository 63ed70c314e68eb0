using Microsoft.Extensions.Options;

namespace BenchDaemon.Configuration;

/// <summary>Fills in the default state directory when none is configured.</summary>
public sealed class StateOptionsSetup : IPostConfigureOptions<StateOptions>
{
    public void PostConfigure(string? name, StateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Directory))
        {
            options.Directory = StateOptions.DefaultDirectory(Environment.GetEnvironmentVariable);
        }
    }
}
