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

    public static readonly MetricDefinition ProcessCpuSeconds = new(
        "process_cpu", MetricKind.Counter, MetricUnit.Seconds, "User and system CPU time of the daemon.");

    public static readonly MetricDefinition ProcessResidentMemory = new(
        "process_resident_memory", MetricKind.Gauge, MetricUnit.Bytes, "Resident memory of the daemon.");

    public static readonly MetricDefinition ProcessVirtualMemory = new(
        "process_virtual_memory", MetricKind.Gauge, MetricUnit.Bytes, "Virtual memory size of the daemon.");

    public static readonly MetricDefinition ProcessStartTime = new(
        "process_start_time", MetricKind.Gauge, MetricUnit.Seconds, "Unix time the daemon started.");

    public static readonly MetricDefinition ProcessOpenFds = new(
        "process_open_fds", MetricKind.Gauge, MetricUnit.None, "Open file descriptors of the daemon.");

    public static readonly MetricDefinition ProcessMaxFds = new(
        "process_max_fds", MetricKind.Gauge, MetricUnit.None, "Soft limit on open file descriptors.");

    public static readonly MetricDefinition ProcessThreads = new(
        "process_threads", MetricKind.Gauge, MetricUnit.None, "Threads of the daemon.");

    public static readonly MetricDefinition DotnetGcCollections = new(
        "dotnet_gc_collections", MetricKind.Counter, MetricUnit.None, "Garbage collections by generation.", "generation");

    public static readonly MetricDefinition DotnetGcHeap = new(
        "dotnet_gc_heap", MetricKind.Gauge, MetricUnit.Bytes, "Bytes allocated on the managed heap and not yet collected.");

    public static readonly MetricDefinition DotnetGcPause = new(
        "dotnet_gc_pause", MetricKind.Counter, MetricUnit.Seconds, "Time the runtime paused for garbage collection.");

    public static readonly MetricDefinition DotnetThreadPoolThreads = new(
        "dotnet_threadpool_threads", MetricKind.Gauge, MetricUnit.None, "Thread-pool threads.");

    private static readonly string[] s_canaryLabels = ["canary", "model", "provider", "precision", "batch"];

    /// <summary>
    /// Latency buckets: 10 % apart from 50 µs to 60 s (148 buckets). With histogram_quantile's
    /// linear interpolation inside a bucket, a 5 % shift of a canary's latency moves its
    /// estimated quantiles by about 5 %, at any model's scale.
    /// </summary>
    public static IReadOnlyList<double> LatencyBuckets { get; } = Enumerable.Range(0, 148).Select(i => 50e-6 * Math.Pow(1.1, i)).ToArray();

    public static readonly MetricDefinition CanaryLatency = new(
        "benchdaemon_canary_latency", MetricKind.Histogram, MetricUnit.Seconds,
        "Per-call inference latency of every measured iteration of a canary.", s_canaryLabels)
    {
        Buckets = LatencyBuckets,
    };

    public static readonly MetricDefinition CanaryLastLatency = new(
        "benchdaemon_canary_last_latency", MetricKind.Gauge, MetricUnit.Seconds,
        "Latency statistics of a canary's last measured run: stat is p50, p90, p95, p99, p999 (exact, from the samples), mean or max. Not a summary: the label is stat, not quantile.",
        [.. s_canaryLabels, "stat"]);

    public static readonly MetricDefinition CanaryStage = new(
        "benchdaemon_canary_stage", MetricKind.Gauge, MetricUnit.Seconds,
        "Mean seconds per call of each stage of a canary's last run where stages exist (preprocess, inference).",
        [.. s_canaryLabels, "stage"]);

    public static readonly MetricDefinition ModelInfo = new(
        "benchdaemon_model", MetricKind.Gauge, MetricUnit.Info,
        "Built-in models: family, parameters and multiply-accumulates per sample; always 1.",
        "model", "family", "parameters", "macs_per_sample");

    public static readonly MetricDefinition CanaryThroughput = new(
        "benchdaemon_canary_throughput_samples_per_second", MetricKind.Gauge, MetricUnit.None,
        "Samples per second of a canary's last measured run.", s_canaryLabels);

    public static readonly MetricDefinition CanaryEnergyPerSample = new(
        "benchdaemon_canary_energy_joules_per_sample", MetricKind.Gauge, MetricUnit.None,
        "Energy per sample (CPU package + DRAM + GPU counters) over a canary's last measured window.", s_canaryLabels);

    public static readonly MetricDefinition CanarySessionCreate = new(
        "benchdaemon_canary_session_create", MetricKind.Gauge, MetricUnit.Seconds,
        "Session creation (graph optimisation, engine build) time of a canary's last run.", s_canaryLabels);

    public static readonly MetricDefinition CanaryDriftMaxAbsError = new(
        "benchdaemon_canary_drift_max_abs_error", MetricKind.Gauge, MetricUnit.None,
        "Largest absolute output difference of an FP16/INT8 canary against its FP32 reference.", s_canaryLabels);

    public static readonly MetricDefinition CanaryDriftCosine = new(
        "benchdaemon_canary_drift_cosine_similarity", MetricKind.Gauge, MetricUnit.None,
        "Cosine similarity of an FP16/INT8 canary's output with its FP32 reference.", s_canaryLabels);

    public static readonly MetricDefinition CanaryDriftTop1 = new(
        "benchdaemon_canary_drift_top1_agreement", MetricKind.Gauge, MetricUnit.Ratio,
        "Share of rows whose arg-max agrees with the FP32 reference (classifier outputs).", s_canaryLabels);

    public static readonly MetricDefinition CanaryRuns = new(
        "benchdaemon_canary_runs", MetricKind.Counter, MetricUnit.None,
        "Canary runs by outcome; reason is a bounded code (provider_unavailable, cpu_busy, duty_budget, timeout…).",
        "canary", "status", "reason");

    public static readonly MetricDefinition CanaryLastSuccess = new(
        "benchdaemon_canary_last_success_timestamp", MetricKind.Gauge, MetricUnit.Seconds,
        "Unix time of a canary's last run that measured (status ok or unstable).", "canary");

    public static readonly MetricDefinition CanaryLastRun = new(
        "benchdaemon_canary_last_run_timestamp", MetricKind.Gauge, MetricUnit.Seconds,
        "Unix time a canary last finished, whatever the outcome.", "canary");

    public static readonly MetricDefinition CanaryDuty = new(
        "benchdaemon_canary_duty", MetricKind.Gauge, MetricUnit.Ratio,
        "Share of the last hour spent running canaries (the duty-budget guard's measure).");

    public static readonly MetricDefinition CanaryStartDelay = new(
        "benchdaemon_canary_start_delay", MetricKind.Histogram, MetricUnit.Seconds,
        "How late a scheduled canary firing started against its planned time (before jitter and queueing): the scheduler's own jitter.",
        "canary")
    {
        Buckets = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60],
    };

    public static readonly MetricDefinition CanaryQueueDepth = new(
        "benchdaemon_canary_queue_depth", MetricKind.Gauge, MetricUnit.None,
        "Canary runs waiting for their device.", "device");

    private static readonly string[] s_regressionLabels = [.. s_canaryLabels, "metric"];

    public static readonly MetricDefinition RegressionActive = new(
        "benchdaemon_regression_active", MetricKind.Gauge, MetricUnit.None,
        "1 while a confirmed regression of a canary's metric (latency_p50, latency_p99, throughput, energy_per_sample, drift) is open, else 0.",
        s_regressionLabels);

    public static readonly MetricDefinition RegressionRatio = new(
        "benchdaemon_regression_ratio", MetricKind.Gauge, MetricUnit.None,
        "Latest estimate of current over baseline of the metric as measured (latency 1.10 = 10 % slower, throughput 0.90 = 10 % lower).",
        s_regressionLabels);

    public static readonly MetricDefinition RegressionRatioLower = new(
        "benchdaemon_regression_ratio_lower", MetricKind.Gauge, MetricUnit.None,
        "Lower bound of benchdaemon_regression_ratio (95 % one-sided; between-run scale of the baseline).", s_regressionLabels);

    public static readonly MetricDefinition RegressionRatioUpper = new(
        "benchdaemon_regression_ratio_upper", MetricKind.Gauge, MetricUnit.None,
        "Upper bound of benchdaemon_regression_ratio (95 % one-sided; between-run scale of the baseline).", s_regressionLabels);

    public static readonly MetricDefinition RegressionStart = new(
        "benchdaemon_regression_start_timestamp", MetricKind.Gauge, MetricUnit.Seconds,
        "Unix start time of the first run of the open regression (absent when none is open).", s_regressionLabels);

    public static readonly MetricDefinition EnvironmentChange = new(
        "benchdaemon_environment_change_timestamp", MetricKind.Gauge, MetricUnit.Seconds,
        "Unix time a canary's environment fingerprint was seen to change a field (driver_version, onnxruntime_version, gpu_uuid, model_hash…): a new baseline segment starts.",
        "field", "from", "to");

    public static readonly MetricDefinition HistoryRuns = new(
        "benchdaemon_history_runs", MetricKind.Counter, MetricUnit.None,
        "Canary runs written to the history store, by status.", "status");

    public static readonly MetricDefinition HistoryWriteErrors = new(
        "benchdaemon_history_write_errors", MetricKind.Counter, MetricUnit.None,
        "Canary runs that could not be written to the history store (the log says why).");

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
        ProcessCpuSeconds, ProcessResidentMemory, ProcessVirtualMemory, ProcessStartTime, ProcessOpenFds, ProcessMaxFds, ProcessThreads,
        DotnetGcCollections, DotnetGcHeap, DotnetGcPause, DotnetThreadPoolThreads,
        ModelInfo, CanaryLatency, CanaryLastLatency, CanaryStage, CanaryThroughput, CanaryEnergyPerSample, CanarySessionCreate,
        CanaryDriftMaxAbsError, CanaryDriftCosine, CanaryDriftTop1, CanaryRuns, CanaryLastSuccess, CanaryLastRun,
        CanaryDuty, CanaryStartDelay, CanaryQueueDepth,
        RegressionActive, RegressionRatio, RegressionRatioLower, RegressionRatioUpper, RegressionStart, EnvironmentChange,
        HistoryRuns, HistoryWriteErrors,
    ];
}
