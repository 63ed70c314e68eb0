using System.ComponentModel.DataAnnotations;
using BenchDaemon.Probes;

namespace BenchDaemon.Configuration;

/// <summary>The metrics endpoint (configuration section <c>Metrics</c>).</summary>
public sealed class MetricsOptions : IValidatableObject
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Metrics";

    /// <summary>
    /// Default port. The Prometheus default-port range 9100-9999 is fully allocated; 9847 is
    /// used by none of the exporters an inference server typically runs (node_exporter 9100,
    /// dcgm-exporter 9400, nvidia_gpu_exporter 9835, process-exporter 9256, Triton 8002,
    /// OpenTelemetry's Prometheus exporter 9464). docs/configuration.md records the choice.
    /// </summary>
    public const int DefaultPort = 9847;

    /// <summary>Default listen address: every interface, so Prometheus can scrape it.</summary>
    public const string DefaultListen = ":9847";

    /// <summary>Where /metrics and /healthz are served, as <c>host:port</c> (<c>:port</c> for every interface).</summary>
    public string Listen { get; set; } = DefaultListen;

    /// <summary>
    /// How long one rendering of /metrics is reused for concurrent scrapers (0 renders every
    /// scrape). Probe values change once per probe interval, so half a second loses nothing.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// A web-config file in the format of the Prometheus exporters (YAML): TLS certificate and
    /// key, optional client CA, and bcrypt-hashed basic-authentication users for every path.
    /// Unset: plain HTTP without authentication. docs/security.md.
    /// </summary>
    public string? WebConfigFile { get; set; }

    /// <summary>Default of <see cref="LatencyBucketsPerDecade"/>.</summary>
    public const int DefaultLatencyBucketsPerDecade = 3;

    /// <summary>
    /// Resolution of the latency histogram (<c>benchdaemon_canary_latency_seconds</c>): bucket
    /// bounds per power of ten, evenly spaced on a log scale and rounded to two significant
    /// figures (3: 1, 2.2, 4.6 ms…; 24: 10 % apart). Every node with the same value has
    /// the same bounds, so a fleet's histograms add up; the exact quantiles of each run are in
    /// <c>benchdaemon_canary_last_latency_seconds</c> and the history whatever this is.
    /// docs/metrics.md, "Series per node", gives the cost.
    /// </summary>
    [Range(1, 24)]
    public int LatencyBucketsPerDecade { get; set; } = DefaultLatencyBucketsPerDecade;

    /// <summary>Lowest latency bucket bound; faster calls share the first bucket.</summary>
    public TimeSpan LatencyBucketMin { get; set; } = TimeSpan.FromTicks(1_000); // 100 µs

    /// <summary>Highest finite latency bucket bound; slower calls count only in <c>+Inf</c>.</summary>
    public TimeSpan LatencyBucketMax { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Rules attributes cannot express: a usable listen address, a bucket range, a readable web-config file.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!ListenAddress.TryParse(Listen, out _, out var error))
        {
            yield return OptionsMember.Fail(validationContext, nameof(Listen), error!);
        }

        if (LatencyBucketMin < TimeSpan.FromTicks(10) || LatencyBucketMax > TimeSpan.FromHours(1) || LatencyBucketMin >= LatencyBucketMax)
        {
            yield return OptionsMember.Fail(
                validationContext,
                nameof(LatencyBucketMin),
                $"{LatencyBucketMin} to {LatencyBucketMax} ({nameof(LatencyBucketMin)} to {nameof(LatencyBucketMax)}) is not a range within 00:00:00.000001-01:00:00 with the minimum below the maximum");
        }

        if (WebConfigProblem() is { } problem)
        {
            yield return new ValidationResult(problem);
        }
    }

    // The loader names the key itself (Metrics:WebConfigFile, or a key of the file).
    private string? WebConfigProblem()
    {
        if (string.IsNullOrWhiteSpace(WebConfigFile))
        {
            return null;
        }

        try
        {
            WebConfigLoader.Check(WebConfigFile);
            return null;
        }
        catch (ConfigurationException ex)
        {
            return ex.Message;
        }
    }
}
