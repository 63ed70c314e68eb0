using System.Diagnostics;
using System.Globalization;
using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Workers;

/// <summary>
/// Carries the canary trace spans across the worker boundary: in the worker, a listener records
/// every span of <see cref="CanaryRunner.ActivitySourceName"/>; in the daemon, the spans of an
/// answer are started again with their recorded times, parents and tags, so OTLP export sees the
/// same trace as when canaries ran in the daemon.
/// </summary>
internal sealed class WorkerSpans : IDisposable
{
    private static readonly ActivitySource s_replay = new(CanaryRunner.ActivitySourceName);

    private readonly ActivityListener _listener;
    private readonly Lock _lock = new();
    private readonly List<Activity> _stopped = [];

    /// <summary>Starts recording (worker side).</summary>
    public WorkerSpans()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == CanaryRunner.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (_lock)
                {
                    _stopped.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The spans stopped since the last call, parents before children; cleared.</summary>
    public IReadOnlyList<WorkerSpan> Take()
    {
        List<Activity> stopped;
        lock (_lock)
        {
            stopped = [.. _stopped.OrderBy(a => a.StartTimeUtc)];
            _stopped.Clear();
        }

        var index = new Dictionary<ActivitySpanId, int>();
        var spans = new List<WorkerSpan>(stopped.Count);
        foreach (var activity in stopped)
        {
            index[activity.SpanId] = spans.Count;
            var parent = index.TryGetValue(activity.ParentSpanId, out var p) ? p : -1;
            var tags = activity.TagObjects.ToDictionary(t => t.Key, t => Convert.ToString(t.Value, CultureInfo.InvariantCulture) ?? string.Empty, StringComparer.Ordinal);
            spans.Add(new WorkerSpan(activity.DisplayName, parent, new DateTimeOffset(activity.StartTimeUtc, TimeSpan.Zero), activity.Duration, tags, activity.Status, activity.StatusDescription));
        }

        return spans;
    }

    /// <summary>Starts and ends <paramref name="spans"/> again in this process (daemon side); nothing happens when no one listens.</summary>
    public static void Replay(IReadOnlyList<WorkerSpan>? spans)
    {
        if (spans is not { Count: > 0 } || !s_replay.HasListeners())
        {
            return;
        }

        var previous = Activity.Current;
        Activity.Current = null;
        var started = new Activity?[spans.Count];
        try
        {
            for (var i = 0; i < spans.Count; i++)
            {
                var span = spans[i];
                var parent = span.Parent >= 0 && started[span.Parent] is { } p ? p.Context : default;
                var activity = s_replay.StartActivity(span.Name, ActivityKind.Internal, parent, span.Tags.Select(t => new KeyValuePair<string, object?>(t.Key, t.Value)), startTime: span.Start);
                activity?.SetStatus(span.Status, span.StatusDescription);
                activity?.SetEndTime((span.Start + span.Duration).UtcDateTime);
                started[i] = activity;
            }
        }
        finally
        {
            // Children before parents, so each span ends inside its parent.
            for (var i = started.Length - 1; i >= 0; i--)
            {
                started[i]?.Stop();
            }

            Activity.Current = previous;
        }
    }

    public void Dispose() => _listener.Dispose();
}
