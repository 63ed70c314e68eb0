using System.Text.Json.Serialization;
using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Workloads.Studies;

/// <summary>
/// One measured (or failed, or skipped) cell of a study, with the derived metrics of its
/// kind. Its JSON form (camelCase) and the CSV columns of <see cref="StudyReportWriter"/>
/// are the study's raw data. Absent values are null, never zero.
/// </summary>
public sealed record StudyCell
{
    public required string Study { get; init; }

    [JsonConverter(typeof(JsonStringEnumConverter<StudyKind>))]
    public required StudyKind Kind { get; init; }

    /// <summary><c>optimised</c> or <c>baseline</c>.</summary>
    public required string Configuration { get; init; }

    /// <summary><c>inference</c>, or for the pipeline study <c>preprocess</c> / <c>end-to-end</c>.</summary>
    public required string Mode { get; init; }

    public required string Model { get; init; }

    public required string Provider { get; init; }

    [JsonConverter(typeof(JsonStringEnumConverter<Precision>))]
    public required Precision Precision { get; init; }

    public required int Batch { get; init; }

    /// <summary>ONNX Runtime graph optimisation level of the session.</summary>
    public string? GraphOptimization { get; init; }

    public string? ImageSize { get; init; }

    /// <summary>Depth study: conv or attention.</summary>
    public string? Block { get; init; }

    /// <summary>Depth study: channels or embedding.</summary>
    public int? Width { get; init; }

    /// <summary>Depth study: stacked blocks.</summary>
    public int? Depth { get; init; }

    [JsonConverter(typeof(JsonStringEnumConverter<CanaryStatus>))]
    public required CanaryStatus Status { get; init; }

    public string? Reason { get; init; }

    public string? ReasonCode { get; init; }

    public string? EffectiveProvider { get; init; }

    public string? EffectivePrecision { get; init; }

    public bool? ProviderFallback { get; init; }

    public int Iterations { get; init; }

    public double? MeanLatencySeconds { get; init; }

    public double? P50LatencySeconds { get; init; }

    public double? P99LatencySeconds { get; init; }

    public double? LatencyCv { get; init; }

    /// <summary>Samples per second: of inference alone, of the whole pipeline (end-to-end), or of the preprocessing stages alone.</summary>
    public double? ThroughputSamplesPerSecond { get; init; }

    /// <summary>Session creation (graph optimisation, engine build), outside the measurement.</summary>
    public double? SessionCreateSeconds { get; init; }

    public double? MeasureSeconds { get; init; }

    public double? ProcessCpuSeconds { get; init; }

    public double? EnergyJoulesPerSample { get; init; }

    public double? SamplesPerJoule { get; init; }

    public double? PowerWatts { get; init; }

    /// <summary>Why the energy columns are empty, when they are.</summary>
    public string? EnergyReason { get; init; }

    public double? DriftMaxAbsError { get; init; }

    public double? DriftCosine { get; init; }

    public double? DriftTop1Agreement { get; init; }

    /// <summary>Mean seconds per call of each stage (pipeline study).</summary>
    public IReadOnlyDictionary<string, double>? StageSeconds { get; init; }

    // Derived metrics, filled by StudyAnalysis.

    /// <summary>Throughput × mean latency ÷ batch: 1 when consistent.</summary>
    public double? Consistency { get; init; }

    public double? Rtr { get; init; }

    public double? Ase { get; init; }

    public double? Bsr { get; init; }

    /// <summary>Throughput over the baseline configuration's at the same model, batch (and depth).</summary>
    public double? SpeedupVsBaseline { get; init; }

    /// <summary>Precision study: throughput over the native baseline (baseline configuration, FP32) at the same batch.</summary>
    public double? SpeedupVsNativeFp32 { get; init; }

    /// <summary>Precision study: throughput over the same provider's FP32 at the same batch (the throughput improvement factor).</summary>
    public double? SpeedupVsProviderFp32 { get; init; }

    /// <summary>Precision study: the same provider's FP32 latency over this cell's (Eq. 19).</summary>
    public double? LatencySpeedupVsProviderFp32 { get; init; }

    /// <summary>Pipeline study (end-to-end rows): each stage's share of the sum of stage times.</summary>
    public IReadOnlyDictionary<string, double>? StageShares { get; init; }

    /// <summary>Pipeline study (end-to-end rows): the stage with the lowest throughput alone.</summary>
    public string? Bottleneck { get; init; }
}
