namespace BenchDaemon.Workers;

/// <summary>How one request to a worker ended.</summary>
/// <param name="Kind">Answered, or the fault that ended the worker.</param>
/// <param name="Answer">The worker's answer when <see cref="WorkerOutcomeKind.Answered"/>.</param>
/// <param name="Detail">For a fault: what happened, in words (signal, last log line, limit).</param>
/// <param name="PeakRssBytes">The worker's peak resident memory during the request, when known.</param>
internal sealed record WorkerOutcome(WorkerOutcomeKind Kind, WorkerEvent? Answer, string? Detail, long? PeakRssBytes);
