using System.Collections.Concurrent;
using System.Globalization;
using BenchDaemon.Probes;
using BenchDaemon.Telemetry;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Studies;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Workers;

/// <summary>
/// The worker processes of the daemon and the CLI: one per device lane (<c>cpu</c>,
/// <c>gpu:0</c>…), reused for consecutive requests and ended when idle for
/// <see cref="WorkerOptions.IdleTimeout"/>, when still larger than
/// <see cref="WorkerOptions.RecycleAboveMegabytes"/> after a request, or when it crashed, hung or
/// passed its memory limit — every one of which becomes the request's result. The next request
/// of the lane gets a fresh worker. Exports worker starts, exits by reason and peak memory.
/// </summary>
public sealed partial class WorkerPool : ICanaryExecutor, IMetricSource, IProcessFamily, IDisposable
{
    /// <summary>The lane of requests that belong to no device (describe, generate).</summary>
    public static readonly DeviceRef DefaultLane = DeviceRef.Cpu;

    private readonly WorkerCommand _command;
    private readonly WorkerSettings _settings;
    private readonly IOptionsMonitor<WorkerOptions> _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger<WorkerPool> _logger;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<DeviceRef, Slot> _slots = new();
    private readonly ConcurrentDictionary<DeviceRef, long> _starts = new();
    private readonly ConcurrentDictionary<(DeviceRef Lane, string Reason), long> _exits = new();
    private readonly ConcurrentDictionary<DeviceRef, long> _peaks = new();
    private readonly ConcurrentDictionary<WorkerProcess, byte> _retiring = new();
    private readonly OnnxRuntimeRepeats _repeats = new();
    private readonly CancellationTokenSource _disposing = new();
    private volatile bool _disposed;

    public WorkerPool(WorkerCommand command, WorkerSettings settings, IOptionsMonitor<WorkerOptions> options, ILoggerFactory loggers, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        _command = command;
        _settings = settings;
        _options = options;
        _loggers = loggers;
        _logger = loggers.CreateLogger<WorkerPool>();
        _timeProvider = timeProvider;
    }

    /// <summary>Why a worker ended, the <c>reason</c> label of <c>benchdaemon_worker_exits_total</c>.</summary>
    public static class ExitReasons
    {
        public const string Idle = "idle";
        public const string Recycled = "recycled";
        public const string Crashed = "crashed";
        public const string Timeout = "timeout";
        public const string OutOfMemory = "out_of_memory";
        public const string Interrupted = "interrupted";
        public const string StartFailed = "start_failed";
        public const string Shutdown = "shutdown";
    }

    /// <inheritdoc />
    public async Task<PreparedModels> PrepareAsync(CanaryDefinition canary, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(canary);
        var options = _options.CurrentValue;
        var limits = new RequestLimits(MemoryLimit(canary, options), options.PrepareTimeout, new Dictionary<CanaryPhase, TimeSpan>());
        var outcome = await ExecuteAsync(canary.Device, id => new PrepareRequest(id, canary), limits, null, cancellationToken);
        if (outcome.Answer is PreparedEvent prepared)
        {
            return new PreparedModels(prepared.Seconds, prepared.Generated, prepared.Status, prepared.ReasonCode, prepared.Reason);
        }

        var (code, reason) = Fault(outcome, "while generating its models");
        return new PreparedModels(0, [], CanaryStatus.Failed, code, reason);
    }

    /// <inheritdoc />
    public async Task<CanaryResult> RunAsync(CanaryDefinition canary, int batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(canary);
        var started = _timeProvider.GetUtcNow();
        var outcome = await ExecuteAsync(canary.Device, id => new RunRequest(id, canary, batch), RunLimits(canary), null, cancellationToken);
        if (outcome.Answer is RunResultEvent answer)
        {
            WorkerSpans.Replay(answer.Spans);
            return answer.Result with { Samples = WorkerProtocol.DecodeSamples(answer.Samples), SampleWeight = answer.SampleWeight, WorkerPeakResidentBytes = outcome.PeakRssBytes };
        }

        var (code, reason) = Fault(outcome, "during the run");
        return CanaryResult.Of(canary, batch, CanaryStatus.Failed, started, code, reason) with { WorkerPeakResidentBytes = outcome.PeakRssBytes };
    }

    /// <inheritdoc />
    public async Task<StudyCell> MeasureCellAsync(StudyOptions study, StudyCellPlan cell, string? energyReason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(cell);
        var outcome = await ExecuteAsync(cell.Canary.Device, id => new StudyCellRequest(id, study, cell, energyReason), RunLimits(cell.Canary), null, cancellationToken);
        if (outcome.Answer is StudyCellEvent answer)
        {
            WorkerSpans.Replay(answer.Spans);
            return answer.Cell;
        }

        var (code, reason) = Fault(outcome, "during the cell");
        return StudyRunner.Planned(study, cell).WithStatus(CanaryStatus.Failed, code, reason);
    }

    /// <summary>The ONNX Runtime of a worker: version, compiled-in providers, load error.</summary>
    /// <exception cref="WorkerStartException">No worker answered.</exception>
    public async Task<RuntimeDescription> DescribeAsync(CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        var limits = new RequestLimits(options.MemoryLimitMegabytes * 1024L * 1024L, options.SessionTimeout, new Dictionary<CanaryPhase, TimeSpan>());
        var outcome = await ExecuteAsync(DefaultLane, id => new DescribeRequest(id), limits, null, cancellationToken);
        return outcome.Answer is DescriptionEvent description
            ? description.Description
            : throw new WorkerStartException(Fault(outcome, "while describing its runtime").Reason);
    }

    /// <summary>Generates (or verifies) built-in model <paramref name="model"/> in <paramref name="precision"/> in a worker; returns its cache path.</summary>
    /// <exception cref="WorkerStartException">The worker failed; the message says how.</exception>
    public async Task<string> GenerateAsync(string model, Precision precision, Action<CanaryPhase>? onPhase, CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        var limits = new RequestLimits(options.MemoryLimitMegabytes * 1024L * 1024L, options.PrepareTimeout, new Dictionary<CanaryPhase, TimeSpan>());
        var outcome = await ExecuteAsync(DefaultLane, id => new GenerateRequest(id, model, precision), limits, onPhase, cancellationToken);
        return outcome.Answer switch
        {
            GeneratedEvent generated => generated.Path,
            FailedEvent failed => throw new WorkerStartException(failed.Message),
            _ => throw new WorkerStartException(Fault(outcome, "while generating the model").Reason),
        };
    }

    /// <summary>The process ids of every live worker (serving a lane or ending).</summary>
    public IReadOnlyCollection<int> Members =>
        [.. _slots.Values.Select(s => s.Worker).OfType<WorkerProcess>().Concat(_retiring.Keys).Where(w => !w.HasExited).Select(w => w.Pid).Distinct()];

    /// <summary>The process id of the worker serving <paramref name="lane"/> now, or null.</summary>
    internal int? WorkerPid(DeviceRef lane) => _slots.TryGetValue(lane, out var slot) && slot.Worker is { } worker ? worker.Pid : null;

    public void Collect(IMetricWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        foreach (var (lane, count) in _starts)
        {
            writer.Write(TelemetryCatalogue.WorkerStarts, count, lane.ToString());
        }

        foreach (var ((lane, reason), count) in _exits)
        {
            writer.Write(TelemetryCatalogue.WorkerExits, count, lane.ToString(), reason);
        }

        foreach (var (lane, slot) in _slots)
        {
            writer.Write(TelemetryCatalogue.Workers, slot.Worker is { } w && !w.HasExited ? 1 : 0, lane.ToString());
        }

        foreach (var (lane, peak) in _peaks)
        {
            writer.Write(TelemetryCatalogue.WorkerPeakResidentMemory, peak, lane.ToString());
        }
    }

    /// <summary>Ends every worker now (daemon shutdown); a request still running is answered as interrupted.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _disposing.Cancel();
        foreach (var (lane, slot) in _slots)
        {
            if (slot.Worker is not null)
            {
                Count(lane, ExitReasons.Shutdown);
            }

            // A request still running sees its worker die and answers as interrupted; its lane
            // semaphore may still be awaited, so it is left to the collector.
            slot.Idle?.Dispose();
            slot.Worker?.Dispose();
        }

        foreach (var worker in _retiring.Keys)
        {
            worker.Dispose();
        }
    }

    private RequestLimits RunLimits(CanaryDefinition canary)
    {
        var options = _options.CurrentValue;
        var measuring = canary.Measure.Budget + CanaryRunner.HardStopGrace(canary.Measure.Budget) + options.KillGrace;
        return new RequestLimits(
            MemoryLimit(canary, options),
            options.SessionTimeout,
            new Dictionary<CanaryPhase, TimeSpan>
            {
                [CanaryPhase.Preparing] = options.PrepareTimeout,
                [CanaryPhase.Session] = options.SessionTimeout,
                [CanaryPhase.Measuring] = measuring,
                [CanaryPhase.Checking] = options.SessionTimeout,
            });
    }

    private static long MemoryLimit(CanaryDefinition canary, WorkerOptions options) =>
        (canary.MemoryLimitMegabytes ?? options.MemoryLimitMegabytes) * 1024L * 1024L;

    private static (string Code, string Reason) Fault(WorkerOutcome outcome, string when) => outcome.Kind switch
    {
        WorkerOutcomeKind.Crashed => (ReasonCodes.WorkerCrashed, $"worker crashed {when}: {outcome.Detail}"),
        WorkerOutcomeKind.TimedOut => (ReasonCodes.Timeout, $"worker hung {when}: {outcome.Detail}"),
        WorkerOutcomeKind.OutOfMemory => (ReasonCodes.OutOfMemory, $"worker out of memory {when}: {outcome.Detail}"),
        WorkerOutcomeKind.Interrupted => (ReasonCodes.Shutdown, ReasonCodes.Shutdown),
        WorkerOutcomeKind.StartFailed => (ReasonCodes.WorkerUnavailable, $"no worker process could be started: {outcome.Detail}"),
        _ when outcome.Answer is FailedEvent failed => (ReasonCodes.RuntimeError, $"worker could not handle the request: {failed.Message}"),
        _ => (ReasonCodes.RuntimeError, $"worker answered {outcome.Answer?.GetType().Name ?? "nothing"} {when}"),
    };

    private async Task<WorkerOutcome> ExecuteAsync(DeviceRef lane, Func<long, WorkerRequest> create, RequestLimits limits, Action<CanaryPhase>? onPhase, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var slot = _slots.GetOrAdd(lane, _ => new Slot());
        try
        {
            await slot.Gate.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return new WorkerOutcome(WorkerOutcomeKind.Interrupted, null, "stopped while waiting for the worker", null);
        }

        try
        {
            slot.Idle?.Dispose();
            slot.Idle = null;
            var options = _options.CurrentValue;
            if (slot.Worker is { HasExited: true } dead)
            {
                // Died while idle (killed from outside): nothing was lost, but it is counted.
                dead.Dispose();
                slot.Worker = null;
                Count(lane, ExitReasons.Crashed);
            }

            if (slot.Worker is null)
            {
                try
                {
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
                    slot.Worker = await WorkerProcess.StartAsync(_command, _settings, lane.ToString(), options.StartTimeout, _loggers, _repeats, _timeProvider, linked.Token);
                    _starts.AddOrUpdate(lane, 1, (_, n) => n + 1);
                }
                catch (WorkerStartException ex)
                {
                    Count(lane, ExitReasons.StartFailed);
                    LogStartFailed(_logger, lane.ToString(), ex.Message);
                    return new WorkerOutcome(WorkerOutcomeKind.StartFailed, null, ex.Message, null);
                }
                catch (OperationCanceledException)
                {
                    return new WorkerOutcome(WorkerOutcomeKind.Interrupted, null, "stopped while the worker started", null);
                }
            }

            var worker = slot.Worker;
            var outcome = await worker.ExecuteAsync(create, limits, options.CancelGrace, onPhase, cancellationToken);
            if (_disposed && outcome.Kind == WorkerOutcomeKind.Crashed)
            {
                // The pool killed it on its way out: the run was interrupted, not crashed.
                outcome = outcome with { Kind = WorkerOutcomeKind.Interrupted };
            }

            if (outcome.PeakRssBytes is { } peak)
            {
                _peaks[lane] = peak;
            }

            if (outcome.Kind != WorkerOutcomeKind.Answered)
            {
                slot.Worker = null;
                worker.Dispose();
                var reason = outcome.Kind switch
                {
                    WorkerOutcomeKind.TimedOut => ExitReasons.Timeout,
                    WorkerOutcomeKind.OutOfMemory => ExitReasons.OutOfMemory,
                    WorkerOutcomeKind.Interrupted => ExitReasons.Interrupted,
                    _ => ExitReasons.Crashed,
                };
                Count(lane, reason);
                LogEnded(_logger, worker.Lane, worker.Pid, reason, outcome.Detail ?? string.Empty);
            }
            else if (options.IdleTimeout <= TimeSpan.Zero)
            {
                Retire(slot, lane, ExitReasons.Idle);
            }
            else if (worker.ReadResident() is { } rss && rss > options.RecycleAboveMegabytes * 1024L * 1024L)
            {
                LogRecycled(_logger, worker.Lane, worker.Pid, rss / (1024 * 1024), options.RecycleAboveMegabytes);
                Retire(slot, lane, ExitReasons.Recycled);
            }
            else
            {
                slot.Idle = _timeProvider.CreateTimer(_ => _ = RetireIfIdleAsync(slot, lane, worker), null, options.IdleTimeout, Timeout.InfiniteTimeSpan);
            }

            return outcome;
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    private async Task RetireIfIdleAsync(Slot slot, DeviceRef lane, WorkerProcess worker)
    {
        if (_disposed || !await slot.Gate.WaitAsync(0))
        {
            return; // busy again: the request that holds the lane re-arms the timer
        }

        try
        {
            if (ReferenceEquals(slot.Worker, worker))
            {
                Retire(slot, lane, ExitReasons.Idle);
            }
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    // Called with the lane held: the worker is taken out of the slot at once and ends in the background.
    private void Retire(Slot slot, DeviceRef lane, string reason)
    {
        if (slot.Worker is not { } worker)
        {
            return;
        }

        slot.Worker = null;
        Count(lane, reason);
        _retiring[worker] = 0;
        _ = Task.Run(async () =>
        {
            await worker.StopAsync(TimeSpan.FromSeconds(5));
            worker.Dispose();
            _retiring.TryRemove(worker, out _);
        });
    }

    private void Count(DeviceRef lane, string reason) => _exits.AddOrUpdate((lane, reason), 1, (_, n) => n + 1);

    private sealed class Slot : IDisposable
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public WorkerProcess? Worker;
        public ITimer? Idle;

        public void Dispose()
        {
            Idle?.Dispose();
            Worker?.Dispose();
            Gate.Dispose();
        }
    }

    [LoggerMessage(EventId = 455, Level = LogLevel.Error, Message = "No worker process for {Lane} could be started: {Reason}")]
    private static partial void LogStartFailed(ILogger logger, string lane, string reason);

    [LoggerMessage(EventId = 456, Level = LogLevel.Debug, Message = "Worker for {Lane} (pid {Pid}) ended: {Reason} ({Detail})")]
    private static partial void LogEnded(ILogger logger, string lane, int pid, string reason, string detail);

    [LoggerMessage(EventId = 457, Level = LogLevel.Debug, Message = "Worker for {Lane} (pid {Pid}) holds {Megabytes} MiB after its request, above {Limit} MiB: ended, the next request starts a fresh one")]
    private static partial void LogRecycled(ILogger logger, string lane, int pid, long megabytes, int limit);
}
