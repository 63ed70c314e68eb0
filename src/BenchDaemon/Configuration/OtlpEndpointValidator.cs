using Microsoft.Extensions.Options;

namespace BenchDaemon.Configuration;

/// <summary>The OTLP endpoint must be an absolute http or https URL (a relative one binds silently otherwise).</summary>
public sealed class OtlpEndpointValidator : IValidateOptions<OtlpOptions>
{
    public ValidateOptionsResult Validate(string? name, OtlpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endpoint = options.Endpoint;
        return endpoint is { IsAbsoluteUri: true } && (endpoint.Scheme == Uri.UriSchemeHttp || endpoint.Scheme == Uri.UriSchemeHttps)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{OtlpOptions.SectionName}:{nameof(OtlpOptions.Endpoint)}: '{endpoint}' is not an absolute http:// or https:// URL");
    }
}
