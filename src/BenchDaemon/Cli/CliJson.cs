using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using BenchDaemon.History;
using BenchDaemon.Workloads.Studies;

namespace BenchDaemon.Cli;

/// <summary>The JSON settings of every <c>--json</c> output: the stored results' form, indented.</summary>
public static class CliJson
{
    /// <summary>
    /// Shared serializer options: <see cref="HistoryJson.Options"/> with indentation; a study cell
    /// is printed as in <c>cells.json</c> (<see cref="StudyReportWriter.OmitResult"/>).
    /// </summary>
    public static JsonSerializerOptions Options { get; } = new(HistoryJson.Options)
    {
        WriteIndented = true,
        TypeInfoResolver = BenchDaemonJsonContext.Default.WithAddedModifier(StudyReportWriter.OmitResult),
    };
}
