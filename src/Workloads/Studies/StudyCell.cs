using System.Text.Json.Serialization;
using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Workloads.Studies;

/// <summary>
/// One measured (or failed, or skipped) cell of a study: its coordinates, the canary result it
/// was measured as (every measured column is read from it, here and nowhere else), and the
/// derived metrics of its kind. Its JSON form without <see cref="Result"/> (camelCase) and the
/// CSV columns of <see cref="StudyReportWriter"/> are the study's raw data. Absent values are
/// null, never zero.
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

    /// <summary>
    /// The canary result the cell's measured values are read from (for a preprocess cell, the
    /// result of its timed stages; for a cell not measured, a result with its status and reason
    /// only). It travels with the cell between a worker and the daemon; the study's files leave
    /// it out (<see cref="StudyReportWriter"/>) and show the columns below instead.
    /// </summary>
    public required CanaryResult Result { get; init; }

    [JsonConverter(typeof(JsonStringEnumConverter<CanaryStatus>))]
    public CanaryStatus Status => Result.Status;

    public string? Reason => Result.Reason;

    public string? ReasonCode => Result.ReasonCode;

    public string? EffectiveProvider => Result.EffectiveProvider;

    public string? EffectivePrecision => Result.EffectivePrecision;

    public bool? ProviderFallback => Result.ProviderFallback;

    public int Iterations => Result.Iterations;

    /// <summary>Per-call latency; for an end-to-end cell one batch's preprocessing plus its inference.</summary>
    public double? MeanLatencySeconds => EndToEndSeconds ?? Result.LatencySeconds?.Mean;

    /// <summary>Null for an end-to-end cell, whose calls are the sum of two stages' means.</summary>
    public double? P50LatencySeconds => EndToEndSeconds is null ? Result.LatencySeconds?.P50 : null;

    public double? P99LatencySeconds => EndToEndSeconds is null ? Result.LatencySeconds?.P99 : null;

    public double? LatencyCv => EndToEndSeconds is null ? Result.LatencySeconds?.CoefficientOfVariation : null;

    /// <summary>Samples per second: of inference alone, of the whole pipeline (end-to-end), or of the preprocessing stages alone.</summary>
    public double? ThroughputSamplesPerSecond => EndToEndSeconds is { } total ? (total > 0 ? Batch / total : null) : Result.ThroughputSamplesPerSecond;

    /// <summary>Session creation (graph optimisation, engine build), outside the measurement.</summary>
    public double? SessionCreateSeconds => Result.SessionCreateSeconds;

    public double? MeasureSeconds => Result.MeasureSeconds;

    public double? ProcessCpuSeconds => Result.ProcessCpuSeconds;

    public double? EnergyJoulesPerSample => Result.EnergyJoulesPerSample;

    public double? SamplesPerJoule => StudyMetrics.SamplesPerJoule(EnergyJoulesPerSample);

    /// <summary>Energy of the window's samples over the window's seconds.</summary>
    public double? PowerWatts => StudyMetrics.Power(Result.EnergyJoulesPerSample * Result.Iterations * (double)Result.Batch, Result.MeasureSeconds);

    /// <summary>Why the energy columns are empty, when they are.</summary>
    public string? EnergyReason { get; init; }

    public double? DriftMaxAbsError => Result.Drift?.MaxAbsError;

    public double? DriftCosine => Result.Drift?.CosineSimilarity;

    public double? DriftTop1Agreement => Result.Drift?.Top1Agreement;

    /// <summary>Mean seconds per call of each stage (pipeline study).</summary>
    public IReadOnlyDictionary<string, double>? StageSeconds => Result.StageSeconds;

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

    /// <summary>This cell with <paramref name="status"/> and its reason (a cell not measured: called on a <see cref="StudyRunner.Planned"/> one).</summary>
    public StudyCell WithStatus(CanaryStatus status, string? reasonCode, string? reason) =>
        this with { Result = Result with { Status = status, ReasonCode = reasonCode, Reason = reason } };

    /// <summary>End to end: one call is the batch's preprocessing plus its inference; null for other cells or without both stages.</summary>
    private double? EndToEndSeconds =>
        Mode == StudyCellPlan.EndToEndMode && Result.StageSeconds is { } stages
        && stages.TryGetValue("preprocess", out var preprocess) && stages.TryGetValue("inference", out var inference)
            ? preprocess + inference
            : null;
}
