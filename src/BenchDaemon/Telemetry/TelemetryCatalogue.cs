using System.Globalization;

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

    public static readonly MetricDefinition HostProbeErrors = new(
        "benchdaemon_host_probe_errors", MetricKind.Counter, MetricUnit.None,
        "Failed reads of a /proc or /sys source by the host probe (source stat, meminfo, loadavg, pressure or rapl; reason missing, unreadable or malformed); that source's series are omitted meanwhile.",
        "source", "reason");

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

    private static readonly string[] s_gpuLabels = ["gpu", "uuid"];

    public static readonly MetricDefinition GpuProbeUp = new(
        "benchdaemon_gpu_probe_up", MetricKind.Gauge, MetricUnit.None,
        "1 while NVML is initialised and at least one GPU answers; 0 without a driver, after an initialisation failure, with no GPUs or all GPUs lost (the log says why).");

    public static readonly MetricDefinition GpuProbeErrors = new(
        "benchdaemon_gpu_probe_errors", MetricKind.Counter, MetricUnit.None,
        "NVML failures of the GPU probe by reason: init_failed (per initialisation attempt), not_supported (per field and GPU), read_failed (per failed read), gpu_lost (per loss); a reason appears at its first failure.",
        "reason");

    public static readonly MetricDefinition GpuUp = new(
        "benchdaemon_gpu_up", MetricKind.Gauge, MetricUnit.None,
        "1 while the GPU answers NVML; 0 after NVML reported it lost (NVML_ERROR_GPU_IS_LOST).", s_gpuLabels);

    public static readonly MetricDefinition GpuInfo = new(
        "benchdaemon_gpu", MetricKind.Gauge, MetricUnit.Info,
        "GPU identity and software stack; energy_source is counter (NVML energy counter) or power_integration; always 1.",
        "gpu", "uuid", "name", "pci_bus_id", "driver_version", "cuda_driver_version", "compute_capability", "energy_source");

    public static readonly MetricDefinition GpuMemoryTotal = new(
        "benchdaemon_gpu_memory_total", MetricKind.Gauge, MetricUnit.Bytes, "Framebuffer memory of the GPU.", s_gpuLabels);

    public static readonly MetricDefinition GpuPowerLimit = new(
        "benchdaemon_gpu_power_limit", MetricKind.Gauge, MetricUnit.Watts, "Enforced power limit of the GPU.", s_gpuLabels);

    public static readonly MetricDefinition GpuUtilization = new(
        "benchdaemon_gpu_utilization", MetricKind.Gauge, MetricUnit.Ratio,
        "Share of NVML's last sample period during which one or more kernels was running (not how much of the GPU they used).", s_gpuLabels);

    public static readonly MetricDefinition GpuMemoryUtilization = new(
        "benchdaemon_gpu_memory_utilization", MetricKind.Gauge, MetricUnit.Ratio,
        "Share of NVML's last sample period during which device memory was being read or written.", s_gpuLabels);

    public static readonly MetricDefinition GpuMemoryUsed = new(
        "benchdaemon_gpu_memory_used", MetricKind.Gauge, MetricUnit.Bytes, "Framebuffer memory allocated.", s_gpuLabels);

    public static readonly MetricDefinition GpuMemoryFree = new(
        "benchdaemon_gpu_memory_free", MetricKind.Gauge, MetricUnit.Bytes, "Framebuffer memory free.", s_gpuLabels);

    public static readonly MetricDefinition GpuMemoryReserved = new(
        "benchdaemon_gpu_memory_reserved", MetricKind.Gauge, MetricUnit.Bytes, "Framebuffer memory reserved by the driver and firmware.", s_gpuLabels);

    public static readonly MetricDefinition GpuPower = new(
        "benchdaemon_gpu_power", MetricKind.Gauge, MetricUnit.Watts, "Power draw of the GPU board as NVML reports it.", s_gpuLabels);

    public static readonly MetricDefinition GpuEnergy = new(
        "benchdaemon_gpu_energy", MetricKind.Counter, MetricUnit.Joules,
        "Energy of the GPU since the driver loaded (NVML counter), or power integrated since the probe started where the GPU has no counter (see benchdaemon_gpu_info energy_source).",
        s_gpuLabels);

    public static readonly MetricDefinition GpuClock = new(
        "benchdaemon_gpu_clock", MetricKind.Gauge, MetricUnit.Hertz, "Current clock frequency; clock is sm, memory or graphics.", "gpu", "uuid", "clock");

    public static readonly MetricDefinition GpuClockMax = new(
        "benchdaemon_gpu_clock_max", MetricKind.Gauge, MetricUnit.Hertz, "Maximum clock frequency; clock is sm, memory or graphics.", "gpu", "uuid", "clock");

    public static readonly MetricDefinition GpuTemperature = new(
        "benchdaemon_gpu_temperature", MetricKind.Gauge, MetricUnit.Celsius, "GPU core temperature.", s_gpuLabels);

    public static readonly MetricDefinition GpuClockEventActive = new(
        "benchdaemon_gpu_clock_event_active", MetricKind.Gauge, MetricUnit.None,
        "1 while the clock-event (throttle) reason is holding clocks down, else 0: gpu_idle, applications_clocks_setting, sw_power_cap, hw_slowdown, sync_boost, sw_thermal_slowdown, hw_thermal_slowdown, hw_power_brake_slowdown, display_clock_setting.",
        "gpu", "uuid", "reason");

    public static readonly MetricDefinition GpuClockEventSeconds = new(
        "benchdaemon_gpu_clock_event", MetricKind.Counter, MetricUnit.Seconds,
        "Cumulative time a policy held clocks below target, from nvmlDeviceGetViolationStatus (reasons the driver exposes).",
        "gpu", "uuid", "reason");

    public static readonly MetricDefinition GpuPerformanceState = new(
        "benchdaemon_gpu_performance_state", MetricKind.Gauge, MetricUnit.None, "Performance state: 0 (P0, maximum) to 15 (minimum).", s_gpuLabels);

    public static readonly MetricDefinition GpuPcieThroughput = new(
        "benchdaemon_gpu_pcie_throughput_bytes_per_second", MetricKind.Gauge, MetricUnit.None,
        "PCIe throughput over NVML's 20 ms sample, read every Probes:Gpu:PcieInterval; direction is transmit or receive.",
        "gpu", "uuid", "direction");

    public static readonly MetricDefinition GpuPcieLinkGeneration = new(
        "benchdaemon_gpu_pcie_link_generation", MetricKind.Gauge, MetricUnit.None, "Current PCIe link generation (drops when idle).", s_gpuLabels);

    public static readonly MetricDefinition GpuPcieLinkMaxGeneration = new(
        "benchdaemon_gpu_pcie_link_max_generation", MetricKind.Gauge, MetricUnit.None, "Highest PCIe generation the GPU and slot support.", s_gpuLabels);

    public static readonly MetricDefinition GpuPcieLinkWidth = new(
        "benchdaemon_gpu_pcie_link_width", MetricKind.Gauge, MetricUnit.None, "Current PCIe link width in lanes.", s_gpuLabels);

    public static readonly MetricDefinition GpuPcieLinkMaxWidth = new(
        "benchdaemon_gpu_pcie_link_max_width", MetricKind.Gauge, MetricUnit.None, "Maximum PCIe link width in lanes.", s_gpuLabels);

    public static readonly MetricDefinition GpuEccErrors = new(
        "benchdaemon_gpu_ecc_errors", MetricKind.Counter, MetricUnit.None,
        "ECC memory errors since the driver loaded (volatile counters), only where ECC is on; type is corrected or uncorrected.",
        "gpu", "uuid", "type");

    public static readonly MetricDefinition GpuRetiredPages = new(
        "benchdaemon_gpu_retired_pages", MetricKind.Gauge, MetricUnit.None,
        "Memory pages retired (pre-Ampere GPUs); cause is single_bit (multiple single-bit errors) or double_bit.", "gpu", "uuid", "cause");

    public static readonly MetricDefinition GpuRemappedRows = new(
        "benchdaemon_gpu_remapped_rows", MetricKind.Gauge, MetricUnit.None,
        "Row remapping (Ampere and later): kind correctable and uncorrectable are rows remapped; pending is 1 while a remap waits for a GPU reset; failure is 1 after a remap failed.",
        "gpu", "uuid", "kind");

    public static readonly MetricDefinition GpuXidErrors = new(
        "benchdaemon_gpu_xid_errors", MetricKind.Counter, MetricUnit.None,
        "Xid critical errors the driver reported since the probe started, by Xid code.", "gpu", "uuid", "xid");

    public static readonly MetricDefinition GpuProcessMemoryUsed = new(
        "benchdaemon_gpu_process_memory_used", MetricKind.Gauge, MetricUnit.Bytes,
        "GPU memory of each compute process (only with Probes:Gpu:ProcessMetrics).", "gpu", "uuid", "pid", "process");

    public static readonly MetricDefinition GpuGraphicsEngineActive = new(
        "benchdaemon_gpu_graphics_engine_active", MetricKind.Gauge, MetricUnit.Ratio,
        "GPM: share of the GPM interval during which any graphics or compute engine was active (NVML_GPM_METRIC_GRAPHICS_UTIL; Hopper and newer).", s_gpuLabels);

    public static readonly MetricDefinition GpuSmActive = new(
        "benchdaemon_gpu_sm_active", MetricKind.Gauge, MetricUnit.Ratio,
        "GPM: share of SMs busy, averaged over the GPM interval (NVML_GPM_METRIC_SM_UTIL; Hopper and newer).", s_gpuLabels);

    public static readonly MetricDefinition GpuSmOccupancy = new(
        "benchdaemon_gpu_sm_occupancy", MetricKind.Gauge, MetricUnit.Ratio,
        "GPM: resident warps against the theoretical maximum, averaged over the GPM interval (NVML_GPM_METRIC_SM_OCCUPANCY).", s_gpuLabels);

    public static readonly MetricDefinition GpuTensorActive = new(
        "benchdaemon_gpu_tensor_active", MetricKind.Gauge, MetricUnit.Ratio,
        "GPM: share of the GPM interval the SMs ran any tensor-core operation (NVML_GPM_METRIC_ANY_TENSOR_UTIL).", s_gpuLabels);

    public static readonly MetricDefinition GpuTensorPipeActive = new(
        "benchdaemon_gpu_tensor_pipe_active", MetricKind.Gauge, MetricUnit.Ratio,
        "GPM: share of the GPM interval the SMs ran tensor-core operations of one kind; pipe is hmma (FP16/BF16), imma (integer), dfma or dmma (FP64).",
        "gpu", "uuid", "pipe");

    public static readonly MetricDefinition GpuPipeActive = new(
        "benchdaemon_gpu_pipe_active", MetricKind.Gauge, MetricUnit.Ratio,
        "GPM: share of the GPM interval the SMs ran non-tensor arithmetic of one kind; pipe is fp16, fp32, fp64 or integer.",
        "gpu", "uuid", "pipe");

    public static readonly MetricDefinition GpuDramActive = new(
        "benchdaemon_gpu_dram_active", MetricKind.Gauge, MetricUnit.Ratio,
        "GPM: DRAM bandwidth used against the theoretical maximum, averaged over the GPM interval (NVML_GPM_METRIC_DRAM_BW_UTIL).", s_gpuLabels);

    public static readonly MetricDefinition GpuPcieTraffic = new(
        "benchdaemon_gpu_pcie_traffic_bytes_per_second", MetricKind.Gauge, MetricUnit.None,
        "GPM: PCIe traffic averaged over the GPM interval (NVML_GPM_METRIC_PCIE_TX/RX_PER_SEC); direction is transmit or receive.",
        "gpu", "uuid", "direction");

    public static readonly MetricDefinition GpuNvlinkTraffic = new(
        "benchdaemon_gpu_nvlink_traffic_bytes_per_second", MetricKind.Gauge, MetricUnit.None,
        "GPM: NVLink traffic over all links averaged over the GPM interval (NVML_GPM_METRIC_NVLINK_TOTAL_TX/RX_PER_SEC); direction is transmit or receive.",
        "gpu", "uuid", "direction");

    public static readonly MetricDefinition GpuNvlinkActive = new(
        "benchdaemon_gpu_nvlink_link_active", MetricKind.Gauge, MetricUnit.None,
        "1 while the NVLink is up, 0 while it is down (nvmlDeviceGetNvLinkState); only GPUs with NVLink, read every Probes:Gpu:PcieInterval.",
        "gpu", "uuid", "link");

    public static readonly MetricDefinition GpuNvlinkData = new(
        "benchdaemon_gpu_nvlink_data", MetricKind.Counter, MetricUnit.Bytes,
        "Data bytes over the NVLink since the driver loaded (NVML_FI_DEV_NVLINK_THROUGHPUT_DATA_TX/RX, KiB → bytes); direction is transmit or receive.",
        "gpu", "uuid", "link", "direction");

    public static readonly MetricDefinition GpuNvlinkErrors = new(
        "benchdaemon_gpu_nvlink_errors", MetricKind.Counter, MetricUnit.None,
        "NVLink data-link error counters (nvmlDeviceGetNvLinkErrorCounter): type is replay, recovery, crc_flit, crc_data or ecc_data, those the GPU keeps.",
        "gpu", "uuid", "link", "type");

    public static readonly MetricDefinition GpuProcessSmUtilization = new(
        "benchdaemon_gpu_process_sm_utilization", MetricKind.Gauge, MetricUnit.Ratio,
        "Share of NVML's last sample period the compute process had kernels on the SMs (nvmlDeviceGetProcessUtilization; only with Probes:Gpu:ProcessMetrics; not under MIG).",
        "gpu", "uuid", "pid", "process");

    public static readonly MetricDefinition GpuProcessEnergy = new(
        "benchdaemon_gpu_process_energy", MetricKind.Counter, MetricUnit.Joules,
        "Estimated GPU energy of the compute process since the probe first saw it: each energy-cadence delta of the GPU's energy split by SM-utilisation share, as Kepler does (an estimate; only with Probes:Gpu:ProcessMetrics).",
        "gpu", "uuid", "pid", "process");

    public static readonly MetricDefinition GpuProcessInfo = new(
        "benchdaemon_gpu_process", MetricKind.Gauge, MetricUnit.Info,
        "A compute process on the GPU and the container and Kubernetes pod its cgroup names (empty outside one); always 1. Join on pid for the per-process series.",
        "gpu", "uuid", "pid", "process", "container_id", "pod_uid");

    public static readonly MetricDefinition GpuMigInfo = new(
        "benchdaemon_gpu_mig", MetricKind.Gauge, MetricUnit.Info,
        "A MIG device (compute instance) of a GPU in MIG mode: its GPU and compute instance ids, MIG profile and UUID; always 1.",
        "gpu", "uuid", "gpu_instance", "compute_instance", "profile", "mig_uuid");

    public static readonly MetricDefinition GpuMigMemoryUsed = new(
        "benchdaemon_gpu_mig_memory_used", MetricKind.Gauge, MetricUnit.Bytes,
        "Memory in use in a MIG GPU instance (its compute instances share it); profile is the GPU instance's MIG profile.",
        "gpu", "uuid", "gpu_instance", "profile");

    public static readonly MetricDefinition GpuMigMemoryTotal = new(
        "benchdaemon_gpu_mig_memory_total", MetricKind.Gauge, MetricUnit.Bytes,
        "Memory of a MIG GPU instance.", "gpu", "uuid", "gpu_instance", "profile");

    public static readonly MetricDefinition GpuMigSmActive = new(
        "benchdaemon_gpu_mig_sm_active", MetricKind.Gauge, MetricUnit.Ratio,
        "GPM per MIG GPU instance (nvmlGpmMigSampleGet): share of the instance's SMs busy over the GPM interval.", "gpu", "uuid", "gpu_instance", "profile");

    public static readonly MetricDefinition GpuMigSmOccupancy = new(
        "benchdaemon_gpu_mig_sm_occupancy", MetricKind.Gauge, MetricUnit.Ratio,
        "GPM per MIG GPU instance: resident warps against the maximum.", "gpu", "uuid", "gpu_instance", "profile");

    public static readonly MetricDefinition GpuMigTensorActive = new(
        "benchdaemon_gpu_mig_tensor_active", MetricKind.Gauge, MetricUnit.Ratio,
        "GPM per MIG GPU instance: share of the interval its SMs ran any tensor-core operation.", "gpu", "uuid", "gpu_instance", "profile");

    public static readonly MetricDefinition GpuMigDramActive = new(
        "benchdaemon_gpu_mig_dram_active", MetricKind.Gauge, MetricUnit.Ratio,
        "GPM per MIG GPU instance: DRAM bandwidth used against the instance's maximum.", "gpu", "uuid", "gpu_instance", "profile");

    public static readonly MetricDefinition GpuMigPipeActive = new(
        "benchdaemon_gpu_mig_pipe_active", MetricKind.Gauge, MetricUnit.Ratio,
        "GPM per MIG GPU instance: non-tensor arithmetic by pipe (fp16, fp32, fp64, integer).", "gpu", "uuid", "gpu_instance", "profile", "pipe");

    private static readonly string[] s_canaryLabels = ["canary", "model", "provider", "precision", "batch"];

    /// <summary>
    /// Latency bucket bounds: <paramref name="perDecade"/> bounds per power of ten at
    /// 10^(k/perDecade) seconds, rounded to two significant figures, from <paramref name="min"/>
    /// to <paramref name="max"/>. The bounds lie on one grid whatever the range, so nodes with the
    /// same resolution share every bound their ranges share (a fleet's histograms add up).
    /// </summary>
    public static IReadOnlyList<double> LatencyBuckets(int perDecade, TimeSpan min, TimeSpan max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perDecade, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(min, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        // A hair of tolerance, so a range given at a grid point (100 µs, 10 s) includes it.
        var first = (int)Math.Ceiling((perDecade * Math.Log10(min.TotalSeconds)) - 1e-9);
        var last = (int)Math.Floor((perDecade * Math.Log10(max.TotalSeconds)) + 1e-9);
        var bounds = new List<double>(Math.Max(0, last - first + 1));
        for (var k = first; k <= last; k++)
        {
            var exact = Math.Pow(10, (double)k / perDecade);
            var scale = Math.Pow(10, Math.Floor(Math.Log10(exact) + 1e-9) - 1);
            // Two significant figures: 1.8e-3, not 1.7782794100389228e-3 (shorter /metrics lines, readable le labels).
            bounds.Add(double.Parse((Math.Round(exact / scale) * scale).ToString("G2", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
        }

        return bounds;
    }

    /// <summary>The latency buckets <paramref name="options"/> configure (<c>Metrics:LatencyBucket*</c>).</summary>
    public static IReadOnlyList<double> LatencyBuckets(Configuration.MetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return LatencyBuckets(options.LatencyBucketsPerDecade, options.LatencyBucketMin, options.LatencyBucketMax);
    }

    /// <summary>The default latency buckets (<see cref="Configuration.MetricsOptions"/>): 3 per decade from 100 µs to 60 s (1, 2.2, 4.6…).</summary>
    public static IReadOnlyList<double> DefaultLatencyBuckets { get; } = LatencyBuckets(new Configuration.MetricsOptions());

    public static readonly MetricDefinition CanaryLatency = new(
        "benchdaemon_canary_latency", MetricKind.Histogram, MetricUnit.Seconds,
        "Per-call inference latency of every measured iteration of a canary.", s_canaryLabels)
    {
        Buckets = DefaultLatencyBuckets,
    };

    public static readonly MetricDefinition CanaryLastLatency = new(
        "benchdaemon_canary_last_latency", MetricKind.Gauge, MetricUnit.Seconds,
        "Latency statistics of a canary's last measured run: stat is p50, p90, p95, p99, p999 (exact, from the samples), mean or max. Not a summary: the label is stat, not quantile.",
        [.. s_canaryLabels, "stat"]);

    public static readonly MetricDefinition CanaryStage = new(
        "benchdaemon_canary_stage", MetricKind.Gauge, MetricUnit.Seconds,
        "Mean seconds per call of each stage of a canary's last run where stages exist (preprocess, inference).",
        [.. s_canaryLabels, "stage"]);

    public static readonly MetricDefinition ProviderUsable = new(
        "benchdaemon_provider_usable", MetricKind.Gauge, MetricUnit.None,
        "1 when the execution provider ran a session on the device alone (no CPU fallback) at the last usability check, 0 when it could not; provider is ONNX Runtime's name, device the CUDA index.",
        "provider", "device");

    public static readonly MetricDefinition ProviderUsabilityInfo = new(
        "benchdaemon_provider_usability", MetricKind.Gauge, MetricUnit.Info,
        "Why a provider is unusable on a device: reason_code is bounded (library_unavailable, driver_unavailable, device_unavailable, provider_unavailable, out_of_memory, runtime_error, runtime_unavailable; ok when usable), reason a short summary such as 'libcudnn.so.9 not found'; always 1, one series per provider and device.",
        "provider", "device", "reason_code", "reason");

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

    public static readonly MetricDefinition CanaryGpuSmActive = new(
        "benchdaemon_canary_gpu_sm_active", MetricKind.Gauge, MetricUnit.Ratio,
        "Share of the GPU's SMs busy over a GPU canary's last measured window (NVML GPM; Hopper and newer).", [.. s_canaryLabels, "gpu"]);

    public static readonly MetricDefinition CanaryGpuTensorActive = new(
        "benchdaemon_canary_gpu_tensor_active", MetricKind.Gauge, MetricUnit.Ratio,
        "Share of a GPU canary's last measured window its GPU ran tensor-core operations (NVML GPM): near 0 for an FP16 model that missed the tensor cores.", [.. s_canaryLabels, "gpu"]);

    public static readonly MetricDefinition CanaryGpuDramActive = new(
        "benchdaemon_canary_gpu_dram_active", MetricKind.Gauge, MetricUnit.Ratio,
        "DRAM bandwidth used over a GPU canary's last measured window against the maximum (NVML GPM): near 1 is memory-bound.", [.. s_canaryLabels, "gpu"]);

    public static readonly MetricDefinition CanaryFlops = new(
        "benchdaemon_canary_flops_per_second", MetricKind.Gauge, MetricUnit.None,
        "GEMM operations per second of a cuda:gemm canary's last run (2·n³ per call; integer operations for INT8).", s_canaryLabels);

    public static readonly MetricDefinition CanaryPeakRatio = new(
        "benchdaemon_canary_peak", MetricKind.Gauge, MetricUnit.Ratio,
        "Achieved / theoretical peak of a CUDA micro-canary's last run, where the GPU's peak is known (datasheet GEMM rate or memory bandwidth; cuda:pcie: the slower direction against the maximum link).", s_canaryLabels);

    public static readonly MetricDefinition CanaryBandwidth = new(
        "benchdaemon_canary_bandwidth_bytes_per_second", MetricKind.Gauge, MetricUnit.None,
        "Copy bandwidth of a cuda:memcpy or cuda:pcie canary's last run by direction (device_to_device counts bytes read plus written; host_to_device, device_to_host).",
        [.. s_canaryLabels, "direction"]);

    public static readonly MetricDefinition CanaryEnergyPerFlop = new(
        "benchdaemon_canary_energy_joules_per_flop", MetricKind.Gauge, MetricUnit.None,
        "GPU energy over a cuda:gemm canary's last measured window divided by the operations done.", s_canaryLabels);

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

    public static readonly MetricDefinition CanaryScheduleInterval = new(
        "benchdaemon_canary_schedule_interval", MetricKind.Gauge, MetricUnit.Seconds,
        "A scheduled canary's period: its Interval, or for a cron schedule the longest gap between its next firings (for 'stopped running' alerts).",
        "canary");

    public static readonly MetricDefinition CanaryDuty = new(
        "benchdaemon_canary_duty", MetricKind.Gauge, MetricUnit.Ratio,
        "Share of the duty window (the last hour, or the default canaries' planned interval when longer) spent running canaries (the duty-budget guard's measure).");

    public static readonly MetricDefinition CanaryFirings = new(
        "benchdaemon_canary_firings", MetricKind.Counter, MetricUnit.None,
        "Scheduled firings of a canary (a firing that a guard then refuses counts too; benchdaemon_canary_runs_total says what became of it).",
        "canary");

    public static readonly MetricDefinition CanaryStartDelay = new(
        "benchdaemon_canary_start_delay", MetricKind.Histogram, MetricUnit.Seconds,
        "How late scheduled canary firings started against their planned time (before jitter and queueing): the scheduler's own jitter, one histogram for all canaries.")
    {
        Buckets = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60],
    };

    public static readonly MetricDefinition CanaryQueueDepth = new(
        "benchdaemon_canary_queue_depth", MetricKind.Gauge, MetricUnit.None,
        "Canary runs waiting for their device.", "device");

    private static readonly string[] s_studyLabels = ["study", "model", "provider", "precision", "batch", "configuration"];

    public static readonly MetricDefinition StudyThroughput = new(
        "benchdaemon_study_throughput_samples_per_second", MetricKind.Gauge, MetricUnit.None,
        "Samples per second of each measured cell of a scheduled study's last run (configuration: optimised, baseline, or pipeline mode-size).",
        s_studyLabels);

    public static readonly MetricDefinition StudyAse = new(
        "benchdaemon_study_ase", MetricKind.Gauge, MetricUnit.Ratio,
        "Absolute scaling efficiency T(b)/(b·T(1)) of each cell of a scheduled study's last run.", s_studyLabels);

    public static readonly MetricDefinition StudySpeedup = new(
        "benchdaemon_study_speedup", MetricKind.Gauge, MetricUnit.Ratio,
        "Throughput of each measured cell over the study's baseline configuration (same model and batch) in a scheduled study's last run.", s_studyLabels);

    public static readonly MetricDefinition StudyEnergyPerSample = new(
        "benchdaemon_study_energy_joules_per_sample", MetricKind.Gauge, MetricUnit.None,
        "Energy per sample of each cell of a scheduled study's last run; absent where no energy counter is readable.", s_studyLabels);

    public static readonly MetricDefinition StudyCells = new(
        "benchdaemon_study_cells", MetricKind.Gauge, MetricUnit.None,
        "Cells of a scheduled study's last run by status (ok, unstable, failed, skipped).", "study", "status");

    public static readonly MetricDefinition StudyLastRun = new(
        "benchdaemon_study_last_run_timestamp", MetricKind.Gauge, MetricUnit.Seconds,
        "Unix time a scheduled study last finished (also when interrupted).", "study");

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
        "Canary runs that could not be written to the history store, by reason: busy (locked longer than the busy timeout), full (disk or quota full), corrupt (the file was moved aside and a new one started), unavailable (the store cannot be opened), io (other); the log says more.",
        "reason");

    public static readonly MetricDefinition OtlpExportErrors = new(
        "benchdaemon_otlp_export_errors", MetricKind.Counter, MetricUnit.None,
        "Failed OTLP export attempts (metrics and traces), by reason: unreachable (connection refused, DNS), timeout (Otlp:Timeout passed without an answer), rejected (the collector answered with an error), other.",
        "reason");

    public static readonly MetricDefinition LogWriteErrors = new(
        "benchdaemon_log_write_errors", MetricKind.Counter, MetricUnit.None,
        "Log events the rolling log file could not take, by reason: full (disk or quota full), denied (permissions), io (other); the console keeps logging.",
        "reason");

    public static readonly MetricDefinition ConfigReloadErrors = new(
        "benchdaemon_config_reload_errors", MetricKind.Counter, MetricUnit.None,
        "Configuration reloads (SIGHUP or file change) refused, by reason: invalid (the new configuration failed validation; the running one stays), error (the reload itself failed).",
        "reason");

    public static readonly MetricDefinition ConfigLastReloadSuccessful = new(
        "benchdaemon_config_last_reload_successful", MetricKind.Gauge, MetricUnit.None,
        "1 when the last configuration reload was applied (or none was tried since start), 0 while the last one was refused.");

    public static readonly MetricDefinition WorkerStarts = new(
        "benchdaemon_worker_starts", MetricKind.Counter, MetricUnit.None,
        "Worker processes started per device lane (canaries, study cells and model generation run in workers, never in the daemon).", "lane");

    public static readonly MetricDefinition WorkerExits = new(
        "benchdaemon_worker_exits", MetricKind.Counter, MetricUnit.None,
        "Worker processes ended per device lane, by reason: idle, recycled (still large after a request), crashed, timeout, out_of_memory, interrupted, start_failed, shutdown.",
        "lane", "reason");

    public static readonly MetricDefinition Workers = new(
        "benchdaemon_workers", MetricKind.Gauge, MetricUnit.None,
        "1 while a worker process serves the device lane, 0 when none runs (it ends when idle).", "lane");

    public static readonly MetricDefinition WorkerPeakResidentMemory = new(
        "benchdaemon_worker_peak_resident_memory", MetricKind.Gauge, MetricUnit.Bytes,
        "Peak resident memory of the lane's worker process during its last request (VmHWM, reset per request).", "lane");

    /// <summary>Every declared metric, in export order.</summary>
    public static IReadOnlyList<MetricDefinition> All { get; } =
    [
        BuildInfo,
        HostCpuSeconds, HostCpuCoreSeconds, HostCpuUtilization, HostCpus,
        HostMemoryTotal, HostMemoryAvailable, HostMemoryUsed, HostMemoryFree, HostMemoryCached,
        HostSwapTotal, HostSwapFree,
        HostLoad1, HostLoad5, HostLoad15,
        HostPressureStalled, HostEnergy, HostProbeErrors,
        ProbeDuration, ProbeLastSample, ProbeSamples,
        GpuProbeUp, GpuProbeErrors, GpuUp, GpuInfo, GpuMemoryTotal, GpuPowerLimit, GpuUtilization, GpuMemoryUtilization,
        GpuMemoryUsed, GpuMemoryFree, GpuMemoryReserved, GpuPower, GpuEnergy, GpuClock, GpuClockMax, GpuTemperature,
        GpuClockEventActive, GpuClockEventSeconds, GpuPerformanceState, GpuPcieThroughput,
        GpuPcieLinkGeneration, GpuPcieLinkMaxGeneration, GpuPcieLinkWidth, GpuPcieLinkMaxWidth,
        GpuEccErrors, GpuRetiredPages, GpuRemappedRows, GpuXidErrors, GpuProcessMemoryUsed, GpuProcessSmUtilization, GpuProcessEnergy, GpuProcessInfo,
        GpuGraphicsEngineActive, GpuSmActive, GpuSmOccupancy, GpuTensorActive, GpuTensorPipeActive, GpuPipeActive, GpuDramActive,
        GpuPcieTraffic, GpuNvlinkTraffic, GpuNvlinkActive, GpuNvlinkData, GpuNvlinkErrors,
        GpuMigInfo, GpuMigMemoryUsed, GpuMigMemoryTotal, GpuMigSmActive, GpuMigSmOccupancy, GpuMigTensorActive, GpuMigDramActive, GpuMigPipeActive,
        ProcessCpuSeconds, ProcessResidentMemory, ProcessVirtualMemory, ProcessStartTime, ProcessOpenFds, ProcessMaxFds, ProcessThreads,
        DotnetGcCollections, DotnetGcHeap, DotnetGcPause, DotnetThreadPoolThreads,
        ProviderUsable, ProviderUsabilityInfo,
        ModelInfo, CanaryLatency, CanaryLastLatency, CanaryStage, CanaryThroughput, CanaryEnergyPerSample, CanarySessionCreate,
        CanaryGpuSmActive, CanaryGpuTensorActive, CanaryGpuDramActive,
        CanaryFlops, CanaryPeakRatio, CanaryBandwidth, CanaryEnergyPerFlop,
        CanaryDriftMaxAbsError, CanaryDriftCosine, CanaryDriftTop1, CanaryRuns, CanaryLastSuccess, CanaryLastRun, CanaryScheduleInterval,
        CanaryDuty, CanaryFirings, CanaryStartDelay, CanaryQueueDepth,
        StudyThroughput, StudyAse, StudySpeedup, StudyEnergyPerSample, StudyCells, StudyLastRun,
        RegressionActive, RegressionRatio, RegressionRatioLower, RegressionRatioUpper, RegressionStart, EnvironmentChange,
        HistoryRuns, HistoryWriteErrors,
        OtlpExportErrors, LogWriteErrors, ConfigReloadErrors, ConfigLastReloadSuccessful,
        WorkerStarts, WorkerExits, Workers, WorkerPeakResidentMemory,
    ];
}
