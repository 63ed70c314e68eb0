using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BenchDaemon.History;

/// <summary>
/// The JSON form of stored results and fingerprints, and of every <c>--json</c> output (which
/// indents it: <c>CliJson</c>).
/// </summary>
public static class HistoryJson
{
    /// <summary>camelCase, enums as camelCase strings, no indentation.</summary>
    public static JsonSerializerOptions Options { get; } = BenchDaemonJsonContext.WithStringEnums(
        new(JsonSerializerDefaults.Web)
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            TypeInfoResolver = BenchDaemonJsonContext.Default,
        },
        JsonNamingPolicy.CamelCase);
}
