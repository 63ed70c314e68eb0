using System.Text.Json.Serialization;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// The outcome of one canary at one batch size: what F5 exports and F6 stores. Its JSON form
/// (camelCase, as printed by <c>benchdaemon once --json</c>) is a stable contract; fields are
/// only ever added.
/// </summary>
public sealed record CanaryResult
{
    /// <summary>
    /// A result of <paramref name="canary"/> at <paramref name="batch"/> that carries no
    /// measurement yet: a run not made (skipped, failed before it started, a model not ready) or
    /// the start of one.
    /// </summary>
    public static CanaryResult Of(CanaryDefinition canary, int batch, CanaryStatus status, DateTimeOffset startedAt, string? reasonCode = null, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(canary);
        return new CanaryResult
        {
            Canary = canary.Name,
            Model = canary.ModelLabel,
            Provider = canary.Provider,
            Precision = canary.Precision,
            Batch = batch,
            Status = status,
            Reason = reason,
            ReasonCode = reasonCode,
            StartedAt = startedAt,
        };
    }

    public required string Canary { get; init; }

    public required string Model { get; init; }

    /// <summary>Provider as requested.</summary>
    public required string Provider { get; init; }

    /// <summary>Precision as requested.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<Precision>))]
    public required Precision Precision { get; init; }

    public required int Batch { get; init; }

    public required CanaryStatus Status { get; init; }

    /// <summary>Why the run failed, was skipped or is unstable; null when ok.</summary>
    public string? Reason { get; init; }

    /// <summary>A bounded code for <see cref="Reason"/> (the <c>reason</c> metric label), see <see cref="ReasonCodes"/>; null when ok.</summary>
    public string? ReasonCode { get; init; }

    /// <summary>The execution provider ONNX Runtime ran (for example CPUExecutionProvider); null when not run.</summary>
    public string? EffectiveProvider { get; init; }

    /// <summary>How the precision was obtained, for example "FP16 (model variant)" or "FP16 (TensorRT option)".</summary>
    public string? EffectivePrecision { get; init; }

    /// <summary>True when some nodes could not run on the requested provider and fell back to CPU.</summary>
    public bool? ProviderFallback { get; init; }

    /// <summary>The model file that ran.</summary>
    public string? ModelPath { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Measured iterations (warm-up excluded).</summary>
    public int Iterations { get; init; }

    public int WarmupIterations { get; init; }

    /// <summary>False when warm-up hit its cap before latencies settled.</summary>
    public bool? WarmupStable { get; init; }

    /// <summary>Per-call latency.</summary>
    public LatencyStatistics? LatencySeconds { get; init; }

    /// <summary>Mean latency divided by the batch size.</summary>
    public double? PerSampleLatencySeconds { get; init; }

    public double? ThroughputSamplesPerSecond { get; init; }

    /// <summary>Session creation (graph optimisation, engine build) time, outside the measurement.</summary>
    public double? SessionCreateSeconds { get; init; }

    /// <summary>Wall time of the measurement window.</summary>
    public double? MeasureSeconds { get; init; }

    /// <summary>CPU time of the whole process during the measurement window.</summary>
    public double? ProcessCpuSeconds { get; init; }

    /// <summary>Energy per counter over the measurement window, joules (for example cpu:package-0).</summary>
    public IReadOnlyDictionary<string, double>? EnergyJoules { get; init; }

    /// <summary>Energy of all counters over the window divided by the samples processed; null where no counter exists.</summary>
    public double? EnergyJoulesPerSample { get; init; }

    /// <summary>
    /// Clock-event (throttle) reasons active at any reading during the measurement window, per GPU
    /// (<c>gpu:0</c> → <c>["sw_power_cap"]</c>); read at the window edges and on every probe tick in
    /// between. A GPU canary reports its own GPU, a CPU canary every GPU; null where no GPU probe runs.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? GpuClockEventReasons { get; init; }

    /// <summary>Mean SM clock in hertz over the readings of the window, per GPU; null as for <see cref="GpuClockEventReasons"/>.</summary>
    public IReadOnlyDictionary<string, double>? GpuSmClockHertz { get; init; }

    /// <summary>Lowest SM clock in hertz read during the window, per GPU.</summary>
    public IReadOnlyDictionary<string, double>? GpuSmClockMinHertz { get; init; }

    /// <summary>
    /// The most memory in use on the canary's GPU during the measured window (NVML, all processes:
    /// the GPU lane runs one canary at a time), per GPU; null where no GPU probe reads it.
    /// </summary>
    public IReadOnlyDictionary<string, double>? GpuMemoryPeakBytes { get; init; }

    /// <summary>
    /// Share of SMs busy over the measured window, per GPU (NVML GPM, a sample at each edge; Hopper and
    /// newer); null without GPM or for a window under 100 ms. See docs/gpu-activity.md.
    /// </summary>
    public IReadOnlyDictionary<string, double>? GpuSmActive { get; init; }

    /// <summary>Share of the window the SMs ran any tensor-core operation, per GPU (GPM); 0 for an FP16 canary that missed the tensor cores.</summary>
    public IReadOnlyDictionary<string, double>? GpuTensorActive { get; init; }

    /// <summary>Share of the window the SMs ran FP16/BF16 tensor-core (HMMA) operations, per GPU (GPM).</summary>
    public IReadOnlyDictionary<string, double>? GpuHmmaTensorActive { get; init; }

    /// <summary>DRAM bandwidth used over the window against the theoretical maximum, per GPU (GPM): near 1 is memory-bound.</summary>
    public IReadOnlyDictionary<string, double>? GpuDramActive { get; init; }

    /// <summary>
    /// Seconds of the first inference, outside the measurement: where ONNX Runtime sizes the
    /// outputs, TensorRT builds its engine on a cache miss and CUDA graphs are captured. For GPU
    /// providers it is set-up (not part of the budget); for the CPU provider the first warm-up call.
    /// </summary>
    public double? FirstRunSeconds { get; init; }

    /// <summary>Where a GPU canary's inputs and outputs lived while measured (<c>Device</c> or <c>EndToEnd</c>); null for CPU canaries.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<GpuIo>))]
    public GpuIo? GpuIo { get; init; }

    /// <summary>
    /// Mean seconds per call of each stage where stages exist (with <c>ImageInput</c>:
    /// <c>preprocess</c> for the whole batch and <c>inference</c>); null otherwise.
    /// </summary>
    public IReadOnlyDictionary<string, double>? StageSeconds { get; init; }

    /// <summary>Share of end-to-end time spent in preprocessing; null without a preprocessing stage.</summary>
    public double? PreprocessShare { get; init; }

    /// <summary>FP16/INT8 output drift against FP32; null where not applicable.</summary>
    public DriftResult? Drift { get; init; }

    /// <summary>The test data set whose inputs fed the run (its directory), or null for generated or <c>.npy</c> inputs.</summary>
    public string? TestData { get; init; }

    /// <summary>How many expected outputs of <see cref="TestData"/> the run's outputs were compared with and agreed with (0: none compared).</summary>
    public int? OutputsChecked { get; init; }

    /// <summary>The GPU a CUDA micro-canary ran on, as the driver names it (for example "NVIDIA H100 80GB HBM3"); null otherwise.</summary>
    public string? DeviceName { get; init; }

    /// <summary>Problem size of a CUDA micro-canary: matrix order of cuda:gemm, MiB of cuda:memcpy and cuda:pcie; null otherwise.</summary>
    public int? Size { get; init; }

    /// <summary>cuda:gemm: operations per second over the measured calls (2·n³ per call; integer operations for INT8); null otherwise.</summary>
    public double? ThroughputFlopsPerSecond { get; init; }

    /// <summary>
    /// cuda:memcpy and cuda:pcie: bytes per second per direction (<c>device_to_device</c> counting
    /// bytes read plus bytes written; <c>host_to_device</c>, <c>device_to_host</c>); null otherwise.
    /// </summary>
    public IReadOnlyDictionary<string, double>? BandwidthBytesPerSecond { get; init; }

    /// <summary>
    /// Achieved / theoretical peak where the peak is known: the datasheet GEMM rate of the
    /// precision, the datasheet memory bandwidth, or (cuda:pcie, slower direction) the maximum
    /// link's rate; null otherwise.
    /// </summary>
    public double? PeakRatio { get; init; }

    /// <summary>cuda:gemm: GPU energy over the window divided by the operations done; null without a GPU energy counter.</summary>
    public double? EnergyJoulesPerFlop { get; init; }

    /// <summary>cuda:pcie (and the other CUDA canaries where readable): the GPU's PCIe link now and at most.</summary>
    public Cuda.PcieLink? PcieLink { get; init; }

    /// <summary>
    /// True when other work took over the CPUs in the middle of the run (the daemon's probes saw
    /// it): the measurement stands, but it cannot confirm a regression. Null when not judged.
    /// </summary>
    public bool? Disturbed { get; init; }

    /// <summary>What disturbed the run, in words; null when it was not disturbed.</summary>
    public string? Disturbance { get; init; }

    /// <summary>
    /// CPUs other processes kept busy, on average, while the run measured (the daemon's probes;
    /// CPU canaries only, null otherwise): the regression gate tells a slowdown someone else's
    /// work explains from one the whole host shares with no visible cause.
    /// </summary>
    public double? ForeignCpus { get; init; }

    /// <summary>The ONNX Runtime version that ran the canary (the worker's); null when the run never reached a worker.</summary>
    public string? OnnxRuntimeVersion { get; init; }

    /// <summary>Peak resident memory of the worker process during the run, bytes (the daemon reads it from /proc); null when not known.</summary>
    public long? WorkerPeakResidentBytes { get; init; }

    /// <summary>
    /// How many measured calls each of <see cref="Samples"/> stands for: 1, or k when a long window's
    /// calls were thinned to every k-th on their way out of the worker (at most 50 000 samples travel;
    /// the statistics are computed on every call). The latency histogram counts each sample k times.
    /// </summary>
    [JsonIgnore]
    public int SampleWeight { get; init; } = 1;

    /// <summary>The raw per-call latencies in seconds (for history and histograms; not in the JSON form).</summary>
    [JsonIgnore]
    public IReadOnlyList<double> Samples { get; init; } = [];
}
