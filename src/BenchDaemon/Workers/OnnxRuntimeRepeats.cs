using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using BenchDaemon.Workloads.Onnx;
using Microsoft.Extensions.Logging;

namespace BenchDaemon.Workers;

/// <summary>
/// ONNX Runtime's warnings and errors that the daemon has logged. A session writes its warnings
/// at every creation ("Removing initializer …", "Some nodes were not assigned to the preferred
/// execution providers …"), so a canary would repeat them at every run and in every worker: each
/// one is logged at its own level the first time in the life of the daemon, and at Debug after
/// that. Lines of one canary differing in numbers only (sizes, counts) count as one. Owned by the pool, which
/// outlives its workers.
/// </summary>
internal sealed partial class OnnxRuntimeRepeats
{
    /// <summary>How many distinct lines are remembered; past that the memory starts over (a line may then show once more).</summary>
    public const int Capacity = 1024;

    private readonly ConcurrentDictionary<string, byte> _seen = new(StringComparer.Ordinal);

    /// <summary>The level to log the worker's <paramref name="e"/> at here.</summary>
    public LogLevel LevelOf(LogEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.EventId != OnnxRuntimeLog.LineEventId || e.Level is not (LogLevel.Warning or LogLevel.Error))
        {
            return e.Level;
        }

        if (_seen.Count >= Capacity)
        {
            _seen.Clear();
        }

        // Per canary (the session's log id), numbers in the text aside.
        var key = $"{Property(e, "LogId")}\n{Digits().Replace(Property(e, "Text") ?? e.Message, "#")}";
        return _seen.TryAdd(key, 0) ? e.Level : LogLevel.Debug;
    }

    private static string? Property(LogEvent e, string name) =>
        e.Properties is { } properties && properties.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Digits();
}
