namespace BenchDaemon.Telemetry;

/// <summary>
/// Something that knows current metric values (the latest probe snapshot, build info) and
/// writes them when an exporter collects. It must not do I/O: a scrape never waits.
/// </summary>
public interface IMetricSource
{
    /// <summary>Writes every series this source currently has; a series not written is treated as gone.</summary>
    void Collect(IMetricWriter writer);
}
