using Microsoft.Extensions.Options;

namespace BenchDaemon.Configuration;

/// <summary>Checks that <see cref="MetricsOptions.Listen"/> is a usable <c>host:port</c>.</summary>
public sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return ListenAddress.TryParse(options.Listen, out _, out var error)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{MetricsOptions.SectionName}:{nameof(MetricsOptions.Listen)}: {error}");
    }
}
