namespace BenchDaemon.Telemetry;

/// <summary>
/// Every metric BenchDaemon exports, declared once (see docs/metrics.md). Both sinks, the
/// prometheus-net registry and the OpenTelemetry meter, are built from this list.
/// </summary>
public static class TelemetryCatalogue
{
    public static readonly MetricDefinition BuildInfo = new(
        "benchdaemon_build", MetricKind.Gauge, MetricUnit.Info,
        "BenchDaemon build and the ONNX Runtime native library it loaded; always 1.",
        "version", "onnxruntime_version");

    public static readonly MetricDefinition HostCpuSeconds = new(
        "benchdaemon_host_cpu", MetricKind.Counter, MetricUnit.Seconds,
        "CPU time of all CPUs together by mode, from /proc/stat.", "mode");

    public static readonly MetricDefinition HostCpuCoreSeconds = new(
        "benchdaemon_host_cpu_core", MetricKind.Counter, MetricUnit.Seconds,
        "CPU time of each logical CPU by mode, from /proc/stat (only with Probes:PerCpu).", "cpu", "mode");

    public static readonly MetricDefinition HostCpuUtilization = new(
        "benchdaemon_host_cpu_utilization", MetricKind.Gauge, MetricUnit.Ratio,
        "Busy share of all CPUs over the last probe interval (not idle and not iowait).");

    public static readonly MetricDefinition HostCpus = new(
        "benchdaemon_host_cpus", MetricKind.Gauge, MetricUnit.None,
        "Logical CPUs listed in /proc/stat.");

    public static readonly MetricDefinition HostMemoryTotal = new(
        "benchdaemon_host_memory_total", MetricKind.Gauge, MetricUnit.Bytes, "MemTotal from /proc/meminfo.");

    public static readonly MetricDefinition HostMemoryAvailable = new(
        "benchdaemon_host_memory_available", MetricKind.Gauge, MetricUnit.Bytes,
        "MemAvailable from /proc/meminfo: memory that can be given to new work without swapping.");

    public static readonly MetricDefinition HostMemoryUsed = new(
        "benchdaemon_host_memory_used", MetricKind.Gauge, MetricUnit.Bytes, "Memory in use: MemTotal minus MemAvailable.");

    public static readonly MetricDefinition HostMemoryFree = new(
        "benchdaemon_host_memory_free", MetricKind.Gauge, MetricUnit.Bytes, "MemFree from /proc/meminfo: memory not used at all.");

    public static readonly MetricDefinition HostMemoryCached = new(
        "benchdaemon_host_memory_cached", MetricKind.Gauge, MetricUnit.Bytes, "Buffers plus Cached from /proc/meminfo.");

    public static readonly MetricDefinition HostSwapTotal = new(
        "benchdaemon_host_swap_total", MetricKind.Gauge, MetricUnit.Bytes, "SwapTotal from /proc/meminfo.");

    public static readonly MetricDefinition HostSwapFree = new(
        "benchdaemon_host_swap_free", MetricKind.Gauge, MetricUnit.Bytes, "SwapFree from /proc/meminfo.");

    public static readonly MetricDefinition HostLoad1 = new(
        "benchdaemon_host_load1", MetricKind.Gauge, MetricUnit.None, "1-minute load average from /proc/loadavg.");

    public static readonly MetricDefinition HostLoad5 = new(
        "benchdaemon_host_load5", MetricKind.Gauge, MetricUnit.None, "5-minute load average from /proc/loadavg.");

    public static readonly MetricDefinition HostLoad15 = new(
        "benchdaemon_host_load15", MetricKind.Gauge, MetricUnit.None, "15-minute load average from /proc/loadavg.");

    public static readonly MetricDefinition HostPressureStalled = new(
        "benchdaemon_host_pressure_stalled", MetricKind.Counter, MetricUnit.Seconds,
        "Time some (kind=some) or all (kind=full) non-idle tasks were stalled on a resource, from /proc/pressure.",
        "resource", "kind");

    public static readonly MetricDefinition HostEnergy = new(
        "benchdaemon_host_energy", MetricKind.Counter, MetricUnit.Joules,
        "Energy of a RAPL domain (CPU package, DRAM...) from /sys/class/powercap, unwrapped across counter wrap-around.",
        "domain");

    public static readonly MetricDefinition ProbeDuration = new(
        "benchdaemon_probe_duration", MetricKind.Gauge, MetricUnit.Seconds,
        "Wall time the last probe tick took to read every probe.");

    public static readonly MetricDefinition ProbeLastSample = new(
        "benchdaemon_probe_last_sample_timestamp", MetricKind.Gauge, MetricUnit.Seconds,
        "Unix time of the last probe tick.");

    public static readonly MetricDefinition ProbeSamples = new(
        "benchdaemon_probe_samples", MetricKind.Counter, MetricUnit.None,
        "Probe ticks since the daemon started.");

    /// <summary>Every declared metric, in export order.</summary>
    public static IReadOnlyList<MetricDefinition> All { get; } =
    [
        BuildInfo,
        HostCpuSeconds, HostCpuCoreSeconds, HostCpuUtilization, HostCpus,
        HostMemoryTotal, HostMemoryAvailable, HostMemoryUsed, HostMemoryFree, HostMemoryCached,
        HostSwapTotal, HostSwapFree,
        HostLoad1, HostLoad5, HostLoad15,
        HostPressureStalled, HostEnergy,
        ProbeDuration, ProbeLastSample, ProbeSamples,
    ];
}
