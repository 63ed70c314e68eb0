
namespace BenchDaemon.History;

/// <summary>A regression as kept in the history; open while <paramref name="ClosedAt"/> is null.</summary>
public sealed record StoredRegression(
    long Id,
    string Series,
    string Canary,
    int Batch,
    string Metric,
    OpenRegression Open,
    DateTimeOffset OpenedAt,
    DateTimeOffset? ClosedAt,
    string? CloseReason);
