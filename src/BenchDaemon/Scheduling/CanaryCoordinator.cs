using System.Collections.Concurrent;
using System.Globalization;
using BenchDaemon.Regression;
using BenchDaemon.Telemetry;
using BenchDaemon.Workers;
using BenchDaemon.Workloads.Canaries;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Scheduling;

/// <summary>
/// Runs scheduled canaries: one at a time per device (so canaries never disturb each
/// other's measurements), a bounded wait queue per device, the guards, and every result to
/// the sinks. Runs go to worker processes (<see cref="ICanaryExecutor"/>); a canary's built-in models
/// are prepared (generated on first use) before its runs and that time is not counted against the
/// duty budget. The running canary is cancelled on shutdown and recorded as <c>interrupted: shutdown</c>.
/// </summary>
public sealed partial class CanaryCoordinator : IDisposable
{
    private readonly ConcurrentDictionary<string, bool> _fired = new(StringComparer.Ordinal);
    private readonly ICanaryExecutor _executor;
    private readonly CanaryGuards _guards;
    private readonly CanaryResultSink _sink;
    private readonly DutyCycle _duty;
    private readonly IOptionsMonitor<GuardOptions> _guardOptions;
    private readonly TimeProvider _timeProvider;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<CanaryCoordinator> _logger;
    private readonly CanaryResults _results;
    private readonly RegressionMonitor? _gate;
    private readonly CadencePlanner? _planner;
    private readonly ConcurrentDictionary<DeviceRef, Lane> _lanes = new();
    private readonly ConcurrentDictionary<string, TimeSpan> _lastDuration = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Canary, int Batch), Task> _confirmations = new();
    private IReadOnlyDictionary<string, CanaryDefinition> _canaries = new Dictionary<string, CanaryDefinition>();

    public CanaryCoordinator(
        ICanaryExecutor executor,
        CanaryGuards guards,
        CanaryResultSink sink,
        DutyCycle duty,
        IOptionsMonitor<GuardOptions> guardOptions,
        TimeProvider timeProvider,
        IHostApplicationLifetime lifetime,
        ILogger<CanaryCoordinator> logger,
        CanaryResults? results = null,
        RegressionMonitor? gate = null,
        CadencePlanner? planner = null)
    {
        _planner = planner;
        _results = results ?? new CanaryResults(sink);
        _gate = gate;
        _executor = executor;
        _guards = guards;
        _sink = sink;
        _duty = duty;
        _guardOptions = guardOptions;
        _timeProvider = timeProvider;
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>The canaries currently scheduled.</summary>
    public IReadOnlyCollection<CanaryDefinition> Canaries => Volatile.Read(ref _canaries).Values.ToList();

    /// <summary>Replaces the canary set (start-up and configuration reload); a run in progress finishes.</summary>
    public void Replace(IReadOnlyList<CanaryDefinition> canaries)
    {
        ArgumentNullException.ThrowIfNull(canaries);
        Volatile.Write(ref _canaries, canaries.ToDictionary(c => c.Name, StringComparer.Ordinal));
    }

    /// <summary>
    /// Counts <paramref name="dropped"/> firings of <paramref name="name"/> that a misfire
    /// dropped (its previous run was still going, or the daemon was paused) as skipped runs.
    /// </summary>
    public void RecordMisfire(string name, int dropped)
    {
        if (dropped <= 0 || !Volatile.Read(ref _canaries).TryGetValue(name, out var canary))
        {
            return;
        }

        var reason = string.Create(CultureInfo.InvariantCulture, $"{dropped} firing(s) missed while the previous run was still going or the daemon was paused; it goes on at its next planned time");
        LogSkipped(_logger, canary.Name, reason);
        for (var i = 0; i < dropped; i++)
        {
            _results.PublishSkip(canary, "misfire", reason);
        }
    }

    public void Dispose()
    {
        foreach (var lane in _lanes.Values)
        {
            lane.Dispose();
        }
    }

    /// <summary>One scheduled firing of <paramref name="name"/>: jitter, queue, guards, run, record.</summary>
    public async Task RunAsync(string name, CancellationToken cancellationToken)
    {
        if (!Volatile.Read(ref _canaries).TryGetValue(name, out var canary))
        {
            return; // removed by a reload after this firing was planned
        }

        _fired.TryAdd(name, true);

        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _lifetime.ApplicationStopping);
        var token = stopping.Token;
        if (canary.Schedule.Jitter > TimeSpan.Zero)
        {
            var delay = TimeSpan.FromTicks((long)(Random.Shared.NextDouble() * canary.Schedule.Jitter.Ticks));
            try
            {
                await Task.Delay(delay, _timeProvider, token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        var lane = _lanes.GetOrAdd(canary.Device, _ => new Lane());
        var queueLength = Math.Max(1, _guardOptions.CurrentValue.QueueLength);
        var waiting = Interlocked.Increment(ref lane.Waiting);
        if (waiting > queueLength)
        {
            Interlocked.Decrement(ref lane.Waiting);
            _results.PublishSkip(canary, ReasonCodes.QueueFull, $"queue for {canary.Device} is full ({queueLength} runs waiting)");
            return;
        }

        _sink.SetQueueDepth(canary.Device, waiting);
        try
        {
            await lane.Gate.WaitAsync(token);
        }
        catch (OperationCanceledException)
        {
            _sink.SetQueueDepth(canary.Device, Interlocked.Decrement(ref lane.Waiting));
            return;
        }

        _sink.SetQueueDepth(canary.Device, Math.Max(0, Interlocked.Decrement(ref lane.Waiting)));
        try
        {
            var expected = _lastDuration.TryGetValue(name, out var last) ? last : Estimate(canary);
            if (_guards.Check(canary, expected) is { } refusal)
            {
                LogSkipped(_logger, canary.Name, refusal.Reason);
                _results.PublishSkip(canary, refusal.Code, refusal.Reason);
                return;
            }

            // One-time work (model generation) is not the canary's: outside the duty budget.
            var prepared = await _executor.PrepareAsync(canary, token);
            if (prepared.Generated.Count > 0)
            {
                LogPrepared(_logger, canary.Name, prepared.Generated, prepared.Seconds);
            }

            if (prepared.Status is { } notReady)
            {
                foreach (var batch in canary.BatchSizes)
                {
                    _results.Publish(canary, CanaryResult.Of(canary, batch, notReady, _timeProvider.GetUtcNow(), prepared.ReasonCode, prepared.Reason));
                }

                return;
            }

            var started = _timeProvider.GetTimestamp();
            foreach (var batch in canary.BatchSizes)
            {
                var result = await RunOnceAsync(canary, batch, token);
                _results.Publish(canary, result);
                // Asked, not told: the gate says whether it wants a confirmation run, and when.
                PlanConfirmation(canary, batch);
                if (token.IsCancellationRequested)
                {
                    break;
                }
            }

            var busy = _timeProvider.GetElapsedTime(started);
            _duty.Add(busy);
            _lastDuration[name] = busy;
            if (canary.Schedule.FitDutyBudget && !token.IsCancellationRequested)
            {
                _planner?.Observe(canary, busy, [.. Volatile.Read(ref _canaries).Values.Where(c => c.Schedule.FitDutyBudget)]);
                _duty.Stretch(_planner?.Planned);
            }

            Compact();
        }
        finally
        {
            lane.Gate.Release();
        }
    }

    // A run leaves its garbage behind: the worker's result line (up to 50 000 samples, one string
    // of megabytes on the large object heap), the history rows, the regression inputs. The large
    // object heap is only collected by a full collection, which an idle daemon may not make for
    // hours, so that garbage stayed resident between runs (bench/workers/README.md, "Daemon
    // memory"). One compacting full collection after each canary's runs returns it.
    private static void Compact() => HeapCompactor.Process.Compact();

    /// <summary>
    /// Whether a scheduled firing of <paramref name="name"/> has come since the daemon started,
    /// whether or not its run has finished (it may still wait for its lane).
    /// </summary>
    public bool HasFired(string name) => _fired.ContainsKey(name);

    /// <summary>The confirmation runs waiting for their time (tests wait on them).</summary>
    internal IReadOnlyCollection<Task> PendingConfirmations => [.. _confirmations.Values];

    // One run of one batch size in a worker; a run whose CPUs other work took over in the middle
    // is marked disturbed (it cannot confirm a verdict), and one cut short by the daemon stopping
    // is interrupted, not failed.
    private async Task<CanaryResult> RunOnceAsync(CanaryDefinition canary, int batch, CancellationToken token)
    {
        var before = _guards.Snapshot();
        var result = await _executor.RunAsync(canary, batch, token);
        if (result.ReasonCode == ReasonCodes.Shutdown && result.Status == CanaryStatus.Failed)
        {
            result = result with { Status = CanaryStatus.Interrupted };
        }

        if (result.LatencySeconds is null)
        {
            return result;
        }

        var after = _guards.Snapshot();
        result = result with { ForeignCpus = CanaryGuards.ForeignCpus(canary, before, after) };
        if (CanaryGuards.Disturbance(canary, before, after) is { } disturbance)
        {
            LogDisturbed(_logger, canary.Name, batch, disturbance);
            result = result with { Disturbed = true, Disturbance = disturbance };
        }

        return result;
    }

    // The gate wants a confirmation run at a time of its choosing (Regression:ConfirmationGap
    // after the run it confirms): one waits per canary and batch size, in the background.
    private void PlanConfirmation(CanaryDefinition canary, int batch)
    {
        if (_gate?.Next(canary.Name, batch) is null)
        {
            return;
        }

        var key = (canary.Name, batch);
        _confirmations.GetOrAdd(key, k => Task.Run(async () =>
        {
            try
            {
                await ConfirmAsync(k.Canary, k.Batch, _lifetime.ApplicationStopping);
            }
            catch (OperationCanceledException)
            {
                // Stopping: a confirmation not yet run is simply not run.
            }
#pragma warning disable CA1031 // A confirmation that fails to run must not take the daemon down; it is logged.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogConfirmationFailed(_logger, k.Canary, ex);
            }
            finally
            {
                _confirmations.TryRemove(k, out _);
            }
        }));
    }

    private async Task ConfirmAsync(string name, int batch, CancellationToken token)
    {
        for (var i = 0; i < RegressionDetector.MaxConfirmations; i++)
        {
            // Asked again at every step: a scheduled run in between makes the gate decide anew.
            if (_gate?.Next(name, batch) is not { } request)
            {
                return;
            }

            var wait = request.NotBefore - _timeProvider.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _timeProvider, token);
                continue;
            }

            if (!Volatile.Read(ref _canaries).TryGetValue(name, out var canary) || !canary.BatchSizes.Contains(batch))
            {
                return; // removed or changed by a reload
            }

            var lane = _lanes.GetOrAdd(canary.Device, _ => new Lane());
            await lane.Gate.WaitAsync(token);
            try
            {
                var expected = _lastDuration.TryGetValue(name, out var last) ? last / Math.Max(1, canary.BatchSizes.Count) : Estimate(canary);
                if (_guards.Check(canary, expected) is { } refused)
                {
                    LogConfirmationRefused(_logger, canary.Name, refused.Reason);
                    return;
                }

                LogConfirming(_logger, canary.Name, batch, request.Metrics);
                var started = _timeProvider.GetTimestamp();
                var result = await RunOnceAsync(canary, batch, token);
                _duty.Add(_timeProvider.GetElapsedTime(started));
                _results.Publish(canary, result, confirmation: true);
            }
            finally
            {
                lane.Gate.Release();
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> while holding the lane of <paramref name="device"/>, so a
    /// study's cell never overlaps a canary (or another cell) on the same device. Blocks the
    /// calling thread while it waits; <paramref name="cancellationToken"/> ends the wait.
    /// </summary>
    public T RunExclusive<T>(DeviceRef device, Func<T> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var lane = _lanes.GetOrAdd(device, _ => new Lane());
        lane.Gate.Wait(cancellationToken);
        try
        {
            return work();
        }
        finally
        {
            lane.Gate.Release();
        }
    }

    // Before a canary has run once, assume warm-up plus the minimum measurement per batch size.
    private static TimeSpan Estimate(CanaryDefinition canary) =>
        (canary.Measure.MinDuration + TimeSpan.FromSeconds(1)) * canary.BatchSizes.Count;

    [LoggerMessage(EventId = 413, Level = LogLevel.Information, Message = "Canary {Canary}: generated {Models} in {Seconds:F1} s (once; not counted against the duty budget)")]
    private static partial void LogPrepared(ILogger logger, string canary, IReadOnlyList<string> models, double seconds);

    [LoggerMessage(EventId = 410, Level = LogLevel.Information, Message = "Canary {Canary} skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string canary, string reason);

    [LoggerMessage(EventId = 411, Level = LogLevel.Information, Message = "Canary {Canary} batch {Batch}: confirmation run for a suspected regression ({Metrics})")]
    private static partial void LogConfirming(ILogger logger, string canary, int batch, IReadOnlyCollection<string> metrics);

    [LoggerMessage(EventId = 414, Level = LogLevel.Information, Message = "Canary {Canary} batch {Batch}: disturbed run ({Disturbance}); it cannot confirm a regression")]
    private static partial void LogDisturbed(ILogger logger, string canary, int batch, string disturbance);

    [LoggerMessage(EventId = 415, Level = LogLevel.Error, Message = "Canary {Canary}: a confirmation run could not be made")]
    private static partial void LogConfirmationFailed(ILogger logger, string canary, Exception exception);

    [LoggerMessage(EventId = 412, Level = LogLevel.Information, Message = "Canary {Canary}: no confirmation re-run: {Reason}")]
    private static partial void LogConfirmationRefused(ILogger logger, string canary, string reason);

    private sealed class Lane : IDisposable
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public int Waiting;

        public void Dispose() => Gate.Dispose();
    }
}
