using System.ComponentModel.DataAnnotations;

namespace BenchDaemon.Configuration;

/// <summary>OTLP metrics export (configuration section <c>Otlp</c>). Off by default.</summary>
public sealed class OtlpOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Otlp";

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
}
