using System.Text.Json;
using BenchDaemon.History;

namespace BenchDaemon.Cli;

/// <summary>The JSON settings of every <c>--json</c> output: the stored results' form, indented.</summary>
public static class CliJson
{
    /// <summary>Shared serializer options: <see cref="HistoryJson.Options"/> with indentation.</summary>
    public static JsonSerializerOptions Options { get; } = new(HistoryJson.Options) { WriteIndented = true };
}
