using System.Diagnostics;
using BenchDaemon.Probes;
using BenchDaemon.Probes.Nvml;
using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Workloads.Models.Zoo;
using BenchDaemon.Workloads.Onnx;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// Runs one canary at one batch size with the measurement protocol of docs/canaries.md, through the
/// engine that handles it — <see cref="OnnxRuntimeEngine"/> for ONNX models (files and built-in),
/// <see cref="CudaCanaryRunner"/> for the CUDA micro-canaries — which share one
/// <see cref="MeasuredWindow"/>. Every failure becomes a <see cref="CanaryResult"/> with a reason;
/// every run is one span (<see cref="ActivitySourceName"/>) and one log line. Also prepares a
/// canary's built-in model files before its runs (<see cref="Prepare"/>).
/// </summary>
public sealed partial class CanaryRunner
{
    /// <summary>The source of the canary trace spans: one per run, with a child per stage.</summary>
    public const string ActivitySourceName = "BenchDaemon.Canaries";

    private static readonly ActivitySource s_activities = new(ActivitySourceName);

    private readonly OnnxRuntimeInfo _runtime;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<CanaryRunner> _logger;
    private readonly ModelZoo? _zoo;
    private readonly ICanaryEngine[] _engines;

    /// <summary>
    /// A runner over ONNX Runtime (<paramref name="runtime"/>) and the CUDA micro-canaries
    /// (<paramref name="cuda"/>, or one with default options); energy and GPU clocks of each window
    /// come from <paramref name="energyMeter"/> and <paramref name="clocks"/>, built-in models from <paramref name="zoo"/>.
    /// </summary>
    /// <param name="runtime">The ONNX Runtime of this process.</param>
    /// <param name="timeProvider">Start times of results.</param>
    /// <param name="logger">The run's log line.</param>
    /// <param name="energyMeter">Energy counters read at the window's edges.</param>
    /// <param name="zoo">Where built-in models come from.</param>
    /// <param name="cuda">The CUDA micro-canary engine.</param>
    /// <param name="clocks">GPU clock windows.</param>
    /// <param name="usability">Whether each GPU provider runs here (<see cref="ProviderUsabilityChecker"/>); asked before a GPU canary's session, so a provider that cannot run is skipped with what is missing.</param>
    /// <param name="stateDirectory">The state directory: TensorRT's engine and timing caches go under it.</param>
    public CanaryRunner(OnnxRuntimeInfo runtime, TimeProvider timeProvider, ILogger<CanaryRunner> logger, IEnergyMeter? energyMeter = null, ModelZoo? zoo = null, CudaCanaryRunner? cuda = null, IGpuClockMonitor? clocks = null, Func<ProviderUsabilityReport>? usability = null, string? stateDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        _runtime = runtime;
        _timeProvider = timeProvider;
        _logger = logger;
        _zoo = zoo;
        var window = new MeasuredWindow(energyMeter, clocks);
        _engines =
        [
            cuda ?? new CudaCanaryRunner(Options.Create(new CudaOptions()), NullLogger<CudaCanaryRunner>.Instance, energyMeter, clocks: clocks),
            new OnnxRuntimeEngine(runtime, window, timeProvider, logger, zoo, usability, stateDirectory),
        ];
    }

    /// <summary>Runs every batch size of <paramref name="canary"/> in turn.</summary>
    public IEnumerable<CanaryResult> RunAll(CanaryDefinition canary, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(canary);
        foreach (var batch in canary.BatchSizes)
        {
            yield return Run(canary, batch, cancellationToken);
        }
    }

    /// <summary>Runs <paramref name="canary"/> at <paramref name="batch"/>. Never throws for a canary problem.</summary>
    public CanaryResult Run(CanaryDefinition canary, int batch, CancellationToken cancellationToken = default) => Run(canary, batch, null, cancellationToken);

    /// <summary>Runs <paramref name="canary"/> at <paramref name="batch"/>, telling <paramref name="phase"/> where it is. Never throws for a canary problem.</summary>
    /// <param name="canary">The canary.</param>
    /// <param name="batch">One of its batch sizes.</param>
    /// <param name="phase">Told when the run enters each <see cref="CanaryPhase"/> (a worker forwards it to the daemon, whose time limit follows it).</param>
    /// <param name="cancellationToken">Ends the run early (shutdown).</param>
    public CanaryResult Run(CanaryDefinition canary, int batch, Action<CanaryPhase>? phase, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(canary);
        var result = CanaryResult.Of(canary, batch, CanaryStatus.Failed, _timeProvider.GetUtcNow()) with { OnnxRuntimeVersion = _runtime.Version };

        using var activity = s_activities.StartActivity("canary " + canary.Name);
        activity?.SetTag("canary", canary.Name);
        activity?.SetTag("model", canary.ModelLabel);
        activity?.SetTag("provider", canary.Provider);
        activity?.SetTag("precision", canary.Precision.ToString());
        activity?.SetTag("batch", batch);
        try
        {
            phase ??= _ => { };
            phase(CanaryPhase.Session);
            var engine = Array.Find(_engines, e => e.CanRun(canary)) ?? throw new InvalidOperationException($"no engine runs model '{canary.Model}'");
            result = engine.Run(canary, batch, result, phase, cancellationToken);
        }
        catch (CanaryInputException ex)
        {
            result = result with { Status = CanaryStatus.Failed, Reason = ex.Message, ReasonCode = ex.Code };
        }
        catch (OutOfMemoryException)
        {
            result = result with { Status = CanaryStatus.Failed, Reason = "out of memory", ReasonCode = ReasonCodes.OutOfMemory };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            result = result with { Status = CanaryStatus.Failed, Reason = OnnxRuntimeErrors.FirstLine(ex.Message), ReasonCode = ReasonCodes.ModelInvalid };
        }

        activity?.SetTag("status", result.Status.ToString().ToLowerInvariant());
        if (result.Status == CanaryStatus.Failed)
        {
            activity?.SetStatus(ActivityStatusCode.Error, result.Reason);
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            var p50 = Readable.Duration(result.LatencySeconds?.P50);
            LogFinished(_logger, result.Canary, result.Batch, result.Status, result.Reason ?? "-", p50);
        }

        return result;
    }

    /// <summary>
    /// Makes the model files of <paramref name="canary"/> ready before it runs: a built-in model's
    /// file in the canary's precision, and the FP32 reference of its drift, are generated on first
    /// use and verified against their checksums otherwise. Never throws for a canary problem; a
    /// model that cannot be made ready is a <see cref="PreparedModels.Status"/> to record.
    /// </summary>
    public PreparedModels Prepare(CanaryDefinition canary, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(canary);
        if (_zoo is null || canary.ModelRef.Kind != ModelKind.Builtin || ModelZoo.TryGet(canary.ModelLabel) is not { } info)
        {
            return PreparedModels.None;
        }

        var start = Stopwatch.GetTimestamp();
        var generated = new List<string>();
        double Elapsed() => Stopwatch.GetElapsedTime(start).TotalSeconds;
        try
        {
            foreach (var precision in new[] { canary.Precision, Precision.FP32 }.Distinct().Where(ModelZoo.Precisions.Contains))
            {
                var cached = _zoo.Inspect(info.Name, precision).Cached;
                _zoo.GetPath(info.Name, precision, cancellationToken);
                if (!cached)
                {
                    generated.Add($"{info.Name} {precision}");
                }
            }

            return new PreparedModels(Elapsed(), generated);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new PreparedModels(Elapsed(), generated, CanaryStatus.Failed, ReasonCodes.Shutdown, ReasonCodes.Shutdown);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new PreparedModels(Elapsed(), generated, CanaryStatus.Failed, ReasonCodes.ModelUnavailable, $"built-in model '{info.Name}' cannot be written to the model cache {_zoo.ModelsDirectory}: {OnnxRuntimeErrors.FirstLine(ex.Message)}");
        }
        catch (OnnxRuntimeException ex)
        {
            return new PreparedModels(Elapsed(), generated, CanaryStatus.Failed, ReasonCodes.RuntimeError, $"generating built-in model '{info.Name}' failed: ONNX Runtime: {OnnxRuntimeErrors.FirstLine(ex.Message)}");
        }
    }

    /// <summary>How long past the budget a call may run before it is terminated: a quarter of the budget, at least one second.</summary>
    public static TimeSpan HardStopGrace(TimeSpan budget) => TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, budget.Ticks / 4));

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Canary {Canary} batch {Batch}: {Status} ({Reason}), p50 {P50}")]
    private static partial void LogFinished(ILogger logger, string canary, int batch, CanaryStatus status, string reason, string p50);
}
