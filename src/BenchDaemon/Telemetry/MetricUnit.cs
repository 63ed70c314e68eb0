namespace BenchDaemon.Telemetry;

/// <summary>Base units, written into Prometheus names as suffixes and into OTLP as UCUM codes.</summary>
public enum MetricUnit
{
    /// <summary>A plain count or value without a unit.</summary>
    None,

    /// <summary>Seconds (<c>_seconds</c>, UCUM <c>s</c>).</summary>
    Seconds,

    /// <summary>Bytes (<c>_bytes</c>, UCUM <c>By</c>).</summary>
    Bytes,

    /// <summary>Joules (<c>_joules</c>, UCUM <c>J</c>).</summary>
    Joules,

    /// <summary>A ratio between 0 and 1 (<c>_ratio</c>, UCUM <c>1</c>).</summary>
    Ratio,

    /// <summary>Metadata as labels on a constant 1 (<c>_info</c>).</summary>
    Info,

    /// <summary>Watts (<c>_watts</c>, UCUM <c>W</c>).</summary>
    Watts,

    /// <summary>Hertz (<c>_hertz</c>, UCUM <c>Hz</c>).</summary>
    Hertz,

    /// <summary>Degrees Celsius (<c>_celsius</c>, UCUM <c>Cel</c>).</summary>
    Celsius,
}
