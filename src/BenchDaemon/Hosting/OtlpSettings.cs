using BenchDaemon.Configuration;
using System.Diagnostics.Metrics;
using BenchDaemon.Telemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

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
    /// With <see cref="OtlpHistograms.Exponential"/>, the daemon's histograms are aggregated as
    /// base-2 exponential histograms of at most <see cref="OtlpOptions.ExponentialMaxBuckets"/>
    /// buckets (the view overrides the explicit bucket advice); otherwise nothing changes.
    /// </summary>
    public static MeterProviderBuilder AddHistogramView(MeterProviderBuilder builder, OtlpOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Histograms != OtlpHistograms.Exponential)
        {
            return builder;
        }

        var maxSize = options.ExponentialMaxBuckets;
        return builder.AddView(instrument =>
            instrument.Meter.Name == OtlpMetricSink.MeterName && instrument is Histogram<double>
                ? new Base2ExponentialBucketHistogramConfiguration { MaxSize = maxSize }
                : null);
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
