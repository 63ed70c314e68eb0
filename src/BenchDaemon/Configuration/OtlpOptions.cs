using System.ComponentModel.DataAnnotations;
using BenchDaemon.Probes;

namespace BenchDaemon.Configuration;

/// <summary>
/// OTLP metrics export (configuration section <c>Otlp</c>). Off by default. The endpoint must be an
/// absolute http or https URL (a relative one binds silently otherwise) without credentials in it;
/// header names must be HTTP tokens and values free of control characters (a CR/LF would inject
/// headers). Messages never echo a header value or the endpoint's user information.
/// </summary>
public sealed class OtlpOptions : IValidatableObject
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Otlp";

    private const string TokenCharacters = "!#$%&'*+-.^_`|~";

    /// <summary>Turns the exporter on.</summary>
    public bool Enabled { get; set; }

    /// <summary>Collector endpoint; the OpenTelemetry default for gRPC.</summary>
    public Uri Endpoint { get; set; } = new("http://localhost:4317");

    /// <summary><c>Grpc</c> or <c>HttpProtobuf</c>.</summary>
    public OtlpProtocol Protocol { get; set; } = OtlpProtocol.Grpc;

    /// <summary>Extra request headers (for example an authorization token). Values are redacted by <c>config check</c>.</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How often metrics are pushed; the OpenTelemetry default is one minute.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one export may take before it is abandoned, so a slow collector never holds the daemon.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary><c>Explicit</c> (the buckets of /metrics) or <c>Exponential</c> (base-2 exponential histograms; docs/fleet.md).</summary>
    public OtlpHistograms Histograms { get; set; } = OtlpHistograms.Explicit;

    /// <summary>Most buckets of one exponential histogram data point (OpenTelemetry's default 160); the scale drops until the values fit.</summary>
    [Range(2, 1024)]
    public int ExponentialMaxBuckets { get; set; } = 160;

    /// <summary>The endpoint's scheme and credentials, the header names and values.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Endpoint is { IsAbsoluteUri: true } && Endpoint.UserInfo.Length > 0)
        {
            yield return OptionsMember.Fail(validationContext, nameof(Endpoint), $"must not carry credentials (user:password@); put a token in {OptionsMember.Key(validationContext, nameof(Headers))} instead");
        }
        else if (Endpoint is not { IsAbsoluteUri: true } || (Endpoint.Scheme != Uri.UriSchemeHttp && Endpoint.Scheme != Uri.UriSchemeHttps))
        {
            yield return OptionsMember.Fail(validationContext, nameof(Endpoint), $"'{Endpoint}' is not an absolute http:// or https:// URL");
        }

        foreach (var (header, value) in Headers)
        {
            var member = $"{nameof(Headers)}:{header}";
            if (header.Length == 0 || !header.All(c => char.IsAsciiLetterOrDigit(c) || TokenCharacters.Contains(c, StringComparison.Ordinal)))
            {
                yield return OptionsMember.Fail(validationContext, member, "is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)");
            }
            else if (string.IsNullOrEmpty(value))
            {
                yield return OptionsMember.Fail(validationContext, member, "has no value");
            }
            else if (value.Any(char.IsControl))
            {
                yield return OptionsMember.Fail(validationContext, member, "the value contains control characters (a line break would inject headers)");
            }
        }
    }
}
