namespace BenchDaemon.Telemetry;

/// <summary>
/// One metric, declared once. The Prometheus name is derived as <c>{Name}_{unit}</c> plus
/// <c>_total</c> for counters; the OTLP instrument keeps <see cref="Name"/> and carries the
/// unit separately, so a Collector's Prometheus exporter derives the same name.
/// </summary>
/// <param name="Name">Base name with the <c>benchdaemon_</c> prefix and without unit or <c>_total</c>.</param>
/// <param name="Kind">Counter or gauge.</param>
/// <param name="Unit">Base unit.</param>
/// <param name="Help">One-sentence help text.</param>
/// <param name="Labels">Label names, bounded in cardinality.</param>
public sealed record MetricDefinition(string Name, MetricKind Kind, MetricUnit Unit, string Help, params string[] Labels)
{
    /// <summary>Upper bounds of a histogram's buckets; empty for other kinds.</summary>
    public IReadOnlyList<double> Buckets { get; init; } = [];

    /// <summary>The name on /metrics.</summary>
    public string PrometheusName { get; } = Name + UnitSuffix(Unit) + (Kind == MetricKind.Counter ? "_total" : string.Empty);

    /// <summary>The UCUM unit code given to the OTLP instrument.</summary>
    public string? OtlpUnit { get; } = Unit switch
    {
        MetricUnit.Seconds => "s",
        MetricUnit.Bytes => "By",
        MetricUnit.Joules => "J",
        MetricUnit.Ratio => "1",
        MetricUnit.Watts => "W",
        MetricUnit.Hertz => "Hz",
        MetricUnit.Celsius => "Cel",
        _ => null,
    };

    private static string UnitSuffix(MetricUnit unit) => unit switch
    {
        MetricUnit.None => string.Empty,
        MetricUnit.Seconds => "_seconds",
        MetricUnit.Bytes => "_bytes",
        MetricUnit.Joules => "_joules",
        MetricUnit.Ratio => "_ratio",
        MetricUnit.Info => "_info",
        MetricUnit.Watts => "_watts",
        MetricUnit.Hertz => "_hertz",
        MetricUnit.Celsius => "_celsius",
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, "unknown unit"),
    };
}
