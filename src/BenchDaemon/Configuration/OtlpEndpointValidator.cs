using Microsoft.Extensions.Options;

namespace BenchDaemon.Configuration;

/// <summary>
/// The OTLP endpoint must be an absolute http or https URL (a relative one binds silently
/// otherwise) without credentials in it; header names must be HTTP tokens and values free of
/// control characters (a CR/LF would inject headers). Messages never echo a header value or
/// the endpoint's user information.
/// </summary>
public sealed class OtlpEndpointValidator : IValidateOptions<OtlpOptions>
{
    private const string TokenCharacters = "!#$%&'*+-.^_`|~";

    public ValidateOptionsResult Validate(string? name, OtlpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endpoint = options.Endpoint;
        var key = $"{OtlpOptions.SectionName}:{nameof(OtlpOptions.Endpoint)}";
        if (endpoint is { IsAbsoluteUri: true } && endpoint.UserInfo.Length > 0)
        {
            return ValidateOptionsResult.Fail($"{key}: must not carry credentials (user:password@); put a token in {OtlpOptions.SectionName}:{nameof(OtlpOptions.Headers)} instead");
        }

        if (endpoint is not { IsAbsoluteUri: true } || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            return ValidateOptionsResult.Fail($"{key}: '{endpoint}' is not an absolute http:// or https:// URL");
        }

        foreach (var (header, value) in options.Headers)
        {
            var headerKey = $"{OtlpOptions.SectionName}:{nameof(OtlpOptions.Headers)}:{header}";
            if (header.Length == 0 || !header.All(c => char.IsAsciiLetterOrDigit(c) || TokenCharacters.Contains(c, StringComparison.Ordinal)))
            {
                return ValidateOptionsResult.Fail($"{headerKey}: is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)");
            }

            if (string.IsNullOrEmpty(value))
            {
                return ValidateOptionsResult.Fail($"{headerKey}: has no value");
            }

            if (value.Any(char.IsControl))
            {
                return ValidateOptionsResult.Fail($"{headerKey}: the value contains control characters (a line break would inject headers)");
            }
        }

        return ValidateOptionsResult.Success;
    }
}
