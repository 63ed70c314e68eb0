using System.Diagnostics;

namespace BenchDaemon.Workers;

/// <summary>
/// One trace span a worker recorded (the <c>BenchDaemon.Canaries</c> source: a run and its
/// session, warm-up, measure and drift stages), sent with the answer so that the daemon, which
/// exports traces, replays it (<see cref="WorkerSpans.Replay"/>).
/// </summary>
/// <param name="Name">The span name.</param>
/// <param name="Parent">Index of the parent span in the same list; -1 for the run's root span.</param>
/// <param name="Start">When it started (UTC).</param>
/// <param name="Duration">How long it lasted.</param>
/// <param name="Tags">Its tags, as text.</param>
/// <param name="Status">Its status.</param>
/// <param name="StatusDescription">The status description (the failure reason), or null.</param>
internal sealed record WorkerSpan(string Name, int Parent, DateTimeOffset Start, TimeSpan Duration, IReadOnlyDictionary<string, string> Tags, ActivityStatusCode Status, string? StatusDescription);
