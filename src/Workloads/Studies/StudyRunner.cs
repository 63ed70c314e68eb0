using System.Diagnostics;
using BenchDaemon.Probes;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Inputs;
using BenchDaemon.Workloads.Models.Zoo;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Studies;

/// <summary>
/// Runs the cells of a study one after another through the canary engine and turns each
/// result into a <see cref="StudyCell"/>. A cell that fails (out of memory, provider error,
/// anything) is recorded with its reason and the study goes on; cancellation stops between
/// cells and what was measured is kept.
/// </summary>
public sealed class StudyRunner
{
    /// <summary>Why energy columns are empty when no counter can be read.</summary>
    public const string NoEnergyCounterReason =
        "no readable energy counter (RAPL absent or not readable by this user; GPU energy comes from the GPU probe)";

    private readonly Func<CanaryDefinition, int, CancellationToken, CanaryResult>? _run;
    private readonly Func<StudyOptions, StudyCellPlan, string?, CancellationToken, StudyCell> _measure;
    private readonly IEnergyMeter? _energyMeter;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a runner that measures cells with <paramref name="runner"/>.</summary>
    public StudyRunner(CanaryRunner runner, IEnergyMeter? energyMeter = null, TimeProvider? timeProvider = null)
        : this((canary, batch, token) => runner.Run(canary, batch, token), energyMeter, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(runner);
    }

    /// <summary>Creates a runner over any cell function (tests inject failures here).</summary>
    public StudyRunner(Func<CanaryDefinition, int, CancellationToken, CanaryResult> run, IEnergyMeter? energyMeter = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        _run = run;
        _measure = MeasureCell;
        _energyMeter = energyMeter;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Creates a runner whose cells are measured elsewhere by <paramref name="measure"/> (the
    /// daemon hands each cell to a worker process, which calls <see cref="MeasureCell"/>).
    /// </summary>
    public StudyRunner(Func<StudyOptions, StudyCellPlan, string?, CancellationToken, StudyCell> measure, IEnergyMeter? energyMeter = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(measure);
        _measure = measure;
        _energyMeter = energyMeter;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Runs <paramref name="plan"/> and derives the study's metrics.</summary>
    /// <param name="options">The resolved options (<see cref="StudyDefaults.Apply"/>).</param>
    /// <param name="plan">The cells, from <see cref="StudyPlanner.Plan"/>.</param>
    /// <param name="environment">The fingerprint for the report.</param>
    /// <param name="onCell">Called after each cell with its index and result (progress display).</param>
    /// <param name="cancellationToken">Stops between cells (and inside a cell's measurement).</param>
    public StudyRun Run(StudyOptions options, IReadOnlyList<StudyCellPlan> plan, StudyEnvironment environment, Action<int, StudyCell>? onCell = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(environment);
        var started = _timeProvider.GetUtcNow();
        var energyReason = EnergyAvailable() ? null : NoEnergyCounterReason;
        var cells = new List<StudyCell>(plan.Count);
        var interrupted = false;
        for (var i = 0; i < plan.Count; i++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                interrupted = true;
                break;
            }

            var cell = _measure(options, plan[i], energyReason, cancellationToken);
            if (cell.ReasonCode == ReasonCodes.Shutdown && cancellationToken.IsCancellationRequested)
            {
                // Cut short by Ctrl-C: not a result about the configuration.
                interrupted = true;
                break;
            }

            cells.Add(cell);
            onCell?.Invoke(i, cell);
        }

        return new StudyRun(options, environment, StudyAnalysis.Derive(options.Kind, cells), plan.Count, interrupted, started, _timeProvider.GetUtcNow());
    }

    /// <summary>
    /// Measures one cell with this runner's canary function: its result becomes the cell, and any
    /// failure a cell with its reason (never an exception).
    /// </summary>
    /// <param name="options">The study's resolved options.</param>
    /// <param name="plan">The cell.</param>
    /// <param name="energyReason">Why energy columns are empty (no readable counter), or null.</param>
    /// <param name="cancellationToken">Ends the measurement (the cell then says shutdown).</param>
    public StudyCell MeasureCell(StudyOptions options, StudyCellPlan plan, string? energyReason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(plan);
        if (_run is null)
        {
            throw new InvalidOperationException("This runner measures its cells elsewhere.");
        }

        var cell = Planned(options, plan);
        try
        {
            return plan.Mode == StudyCellPlan.PreprocessMode
                ? RunPreprocess(cell, plan, cancellationToken)
                : FromResult(cell, plan, _run(plan.Canary, plan.Batch, cancellationToken), energyReason);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return cell.WithStatus(CanaryStatus.Failed, ReasonCodes.Shutdown, ReasonCodes.Shutdown);
        }
        catch (OutOfMemoryException)
        {
            return cell.WithStatus(CanaryStatus.Failed, ReasonCodes.OutOfMemory, "out of memory");
        }
#pragma warning disable CA1031 // One cell's failure is a result of the study, never the end of it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return cell.WithStatus(CanaryStatus.Failed, ReasonCodes.RuntimeError, $"{ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
        }
    }

    /// <summary>
    /// The cell's identity before it is measured: labels filled, status failed until a result says
    /// otherwise (a result of the cell's canary with no measurement and no start time).
    /// </summary>
    public static StudyCell Planned(StudyOptions options, StudyCellPlan plan)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(plan);
        return new StudyCell
        {
            Study = options.EffectiveName,
            Kind = options.Kind,
            Configuration = plan.Configuration,
            Mode = plan.Mode,
            Model = plan.Canary.ModelLabel,
            Provider = plan.Canary.Provider,
            Precision = plan.Canary.Precision,
            Batch = plan.Batch,
            GraphOptimization = StudyPlanner.OptimizationLabel(plan.Canary.GraphOptimization),
            ImageSize = plan.ImageSize?.ToString().ToLowerInvariant(),
            Block = plan.Block is { } b ? (b.Kind == BlockKind.Conv ? "conv" : "attention") : null,
            Width = plan.Block?.Width,
            Depth = plan.Block?.Depth,
            Result = CanaryResult.Of(plan.Canary, plan.Batch, CanaryStatus.Failed, startedAt: default),
        };
    }

    private static StudyCell FromResult(StudyCell cell, StudyCellPlan plan, CanaryResult r, string? energyReason)
    {
        // A micro-canary model (cuda:gemm…) that this build's runner does not know arrives as a missing file.
        if (r.Status == CanaryStatus.Failed && r.ReasonCode == ReasonCodes.ModelInvalid && StudyPlanner.IsMicroCanary(plan.Canary.Model) && !File.Exists(plan.Canary.Model))
        {
            return cell.WithStatus(CanaryStatus.Skipped, ReasonCodes.ModelUnavailable, $"micro-canary '{plan.Canary.Model}' is not available in this build of the canary runner");
        }

        var measured = r.LatencySeconds is not null && r.ThroughputSamplesPerSecond is not null;
        return cell with
        {
            // The per-call latencies stay with the canary's history, not with the study's cells.
            Result = r with { Samples = [] },
            EnergyReason = measured && r.EnergyJoulesPerSample is null ? energyReason ?? "the energy counters gave no reading for this window" : null,
        };
    }

    /// <summary>The preprocessing stages alone: decode, resize, crop and normalise of one batch per call, timed per stage.</summary>
    private static StudyCell RunPreprocess(StudyCell cell, StudyCellPlan plan, CancellationToken cancellationToken)
    {
        var size = ImageInputSize(plan.Canary);
        if (size is null)
        {
            return cell.WithStatus(CanaryStatus.Skipped, ReasonCodes.InputError, $"model '{plan.Canary.ModelLabel}' has no float [batch, 3, H, H] image input to preprocess for");
        }

        var preprocessor = new ImagePreprocessor(new ImagePreprocessorOptions { TargetSize = size.Value, ResizeShorterSide = (int)Math.Round(size.Value * 256.0 / 224.0) });
        var jpeg = SyntheticImages.Jpeg(plan.ImageSize ?? ImageSizeClass.Medium);
        var destination = new float[preprocessor.OutputLength];
        var measure = plan.Canary.Measure;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < Math.Max(1, measure.WarmupMinIterations); i++)
        {
            preprocessor.Process(jpeg, destination, out _);
        }

        var calls = new List<double>();
        var sum = default(PreprocessTimings);
        var window = Stopwatch.GetTimestamp();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var t0 = Stopwatch.GetTimestamp();
            for (var s = 0; s < plan.Batch; s++)
            {
                preprocessor.Process(jpeg, destination, out var timings);
                sum += timings;
            }

            var t1 = Stopwatch.GetTimestamp();
            calls.Add((t1 - t0) / (double)Stopwatch.Frequency);
            if ((calls.Count >= measure.MinIterations && Stopwatch.GetElapsedTime(window, t1) >= measure.MinDuration)
                || Stopwatch.GetElapsedTime(start, t1) >= measure.Budget)
            {
                break;
            }
        }

        return Preprocessed(cell, plan, calls, sum, Stopwatch.GetElapsedTime(window));
    }

    /// <summary>The preprocess cell of <paramref name="calls"/> (seconds per call of one batch) and the stage times summed over them.</summary>
    internal static StudyCell Preprocessed(StudyCell cell, StudyCellPlan plan, IReadOnlyList<double> calls, PreprocessTimings sum, TimeSpan window)
    {
        var measure = plan.Canary.Measure;
        double PerCall(TimeSpan total) => total.TotalSeconds / calls.Count;
        var complete = calls.Count >= measure.MinIterations;
        return cell with
        {
            Result = cell.Result with
            {
                Status = complete ? CanaryStatus.Ok : CanaryStatus.Unstable,
                Reason = complete ? null : $"time budget {measure.Budget} reached after {calls.Count} calls",
                ReasonCode = complete ? null : ReasonCodes.BudgetReached,
                EffectiveProvider = "CPU (SkiaSharp)",
                Iterations = calls.Count,
                LatencySeconds = LatencyStatistics.From(calls),
                ThroughputSamplesPerSecond = calls.Count * (double)plan.Batch / calls.Sum(),
                MeasureSeconds = window.TotalSeconds,
                StageSeconds = new Dictionary<string, double>(StringComparer.Ordinal)
                {
                    ["decode"] = PerCall(sum.Decode),
                    ["resize"] = PerCall(sum.Resize),
                    ["crop"] = PerCall(sum.Crop),
                    ["normalize"] = PerCall(sum.Normalize),
                },
            },
        };
    }

    /// <summary>The square image size of the model's float [batch, 3, H, H] input, or null.</summary>
    private static int? ImageInputSize(CanaryDefinition canary)
    {
        if (canary.ModelRef.Kind == ModelKind.Builtin)
        {
            return ModelZoo.TryGet(canary.ModelLabel) is { } info && info.Dimensions.TryGetValue("image", out var image) ? (int)image : null;
        }

        if (!File.Exists(canary.Model))
        {
            return null;
        }

        using var session = new InferenceSession(canary.Model);
        foreach (var input in session.InputMetadata.Values)
        {
            if (input.ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float && input.Dimensions is [_, 3, var h, var w] && h == w && h >= 8)
            {
                return h;
            }
        }

        return null;
    }

    private bool EnergyAvailable()
    {
        try
        {
            return _energyMeter is not null && _energyMeter.ReadEnergy().Count > 0;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
