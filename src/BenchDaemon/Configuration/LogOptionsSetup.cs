using Microsoft.Extensions.Options;

namespace BenchDaemon.Configuration;

/// <summary>Fills in the default log directory, <c>logs/</c> under the state directory, when none is configured.</summary>
public sealed class LogOptionsSetup(IOptions<StateOptions> state) : IPostConfigureOptions<LogOptions>
{
    public void PostConfigure(string? name, LogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Directory))
        {
            options.Directory = Path.Combine(state.Value.Directory ?? ".", "logs");
        }
    }
}
