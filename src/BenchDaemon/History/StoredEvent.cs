namespace BenchDaemon.History;

/// <summary>An event in the history: environment change, baseline accepted, regression opened or closed.</summary>
/// <param name="Id">Row id.</param>
/// <param name="Timestamp">When it happened.</param>
/// <param name="Kind">One of the <see cref="HistoryEventKinds"/>.</param>
/// <param name="Canary">The canary it concerns.</param>
/// <param name="Detail">A JSON object with the particulars.</param>
public sealed record StoredEvent(long Id, DateTimeOffset Timestamp, string Kind, string? Canary, string Detail);
