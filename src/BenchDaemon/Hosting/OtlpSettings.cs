using BenchDaemon.Configuration;
using OpenTelemetry.Exporter;

namespace BenchDaemon.Hosting;

/// <summary>Maps <see cref="OtlpOptions"/> onto the OpenTelemetry exporter's options.</summary>
public static class OtlpSettings
{
    /// <summary>Copies endpoint, protocol, headers and timeout.</summary>
    public static void Apply(OtlpExporterOptions exporter, OtlpOptions options)
    {
        ArgumentNullException.ThrowIfNull(exporter);
        ArgumentNullException.ThrowIfNull(options);
        exporter.Protocol = options.Protocol == OtlpProtocol.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        exporter.Endpoint = MetricsEndpoint(options);
        exporter.TimeoutMilliseconds = (int)options.Timeout.TotalMilliseconds;
        exporter.Headers = string.Join(',', options.Headers.Select(h => $"{h.Key}={Uri.EscapeDataString(h.Value)}"));
    }

    /// <summary>
    /// The endpoint to post to. A programmatic endpoint is used as is by the SDK, so for
    /// HTTP/protobuf a bare collector address gets the signal path <c>/v1/metrics</c>.
    /// </summary>
    public static Uri MetricsEndpoint(OtlpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Protocol == OtlpProtocol.HttpProtobuf && options.Endpoint.AbsolutePath is "/" or "")
        {
            return new Uri(options.Endpoint, "v1/metrics");
        }

        return options.Endpoint;
    }
}
