using System.Collections.Concurrent;
using System.Diagnostics;
using Quartz;

namespace BenchDaemon.Tests.Scheduling;

/// <summary>A Quartz job listener that records when each job execution began and ended (monotonic clock).</summary>
public sealed class ExecutionRecorder : IJobListener
{
    private readonly ConcurrentDictionary<string, long> _started = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(TimeSpan Start, TimeSpan End)> _executions = new();
    private readonly long _origin = Stopwatch.GetTimestamp();

    public string Name => nameof(ExecutionRecorder);

    /// <summary>Finished executions, in order of start, relative to when the recorder was made.</summary>
    public IReadOnlyList<(TimeSpan Start, TimeSpan End)> Executions => [.. _executions.OrderBy(e => e.Start)];

    public Task JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        _started[context.FireInstanceId] = Stopwatch.GetTimestamp();
        return Task.CompletedTask;
    }

    public Task JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
    {
        var end = Stopwatch.GetTimestamp();
        if (_started.TryRemove(context.FireInstanceId, out var start))
        {
            _executions.Enqueue((Stopwatch.GetElapsedTime(_origin, start), Stopwatch.GetElapsedTime(_origin, end)));
        }

        return Task.CompletedTask;
    }
}
