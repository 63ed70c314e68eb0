using System.Collections.Concurrent;
using System.Diagnostics;
using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Tests.Scheduling;

/// <summary>
/// Listens to the runner's trace spans (one <c>canary NAME</c> span per run, with a
/// <c>measure</c> child) and records when each run of the named canaries started and ended.
/// Other tests run canaries in parallel in this process, so only the given names count.
/// </summary>
public sealed class CanaryRunRecorder : IDisposable
{
    private readonly HashSet<string> _operations;
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<(string Canary, DateTime Start, DateTime End)> _runs = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _measuring = new(StringComparer.Ordinal);

    public CanaryRunRecorder(params string[] canaries)
    {
        _operations = [.. canaries.Select(c => "canary " + c)];
        foreach (var canary in canaries)
        {
            _measuring[canary] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == CanaryRunner.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = Started,
            ActivityStopped = Stopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Every finished run of the named canaries, in order of start.</summary>
    public IReadOnlyList<(string Canary, DateTime Start, DateTime End)> Runs => [.. _runs.OrderBy(r => r.Start)];

    /// <summary>Completes when a run of <paramref name="canary"/> begins its measured loop.</summary>
    public Task Measuring(string canary) => _measuring[canary].Task;

    public void Dispose() => _listener.Dispose();

    private void Started(Activity activity)
    {
        if (activity.OperationName == "measure" && activity.Parent is { } parent && _operations.Contains(parent.OperationName))
        {
            _measuring[parent.OperationName["canary ".Length..]].TrySetResult();
        }
    }

    private void Stopped(Activity activity)
    {
        if (_operations.Contains(activity.OperationName))
        {
            _runs.Enqueue((activity.OperationName["canary ".Length..], activity.StartTimeUtc, activity.StartTimeUtc + activity.Duration));
        }
    }
}
