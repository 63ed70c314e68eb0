using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Workloads.Studies;

/// <summary>
/// Writes a study's files into one folder: <c>cells.csv</c> and <c>cells.json</c> (every
/// cell, raw and derived), <c>environment.json</c>, <c>report.md</c> (fingerprint, tables,
/// charts) and the charts as PNG. Absent values are empty in the CSV and null in the JSON.
/// </summary>
public static class StudyReportWriter
{
    /// <summary>The CSV file name.</summary>
    public const string CsvFile = "cells.csv";

    /// <summary>The JSON file name.</summary>
    public const string JsonFile = "cells.json";

    /// <summary>The Markdown report file name.</summary>
    public const string ReportFile = "report.md";

    /// <summary>The environment fingerprint file name.</summary>
    public const string EnvironmentFile = "environment.json";

    private static readonly string[] s_stages = ["decode", "resize", "crop", "normalize", "preprocess", "inference"];

    private static readonly JsonSerializerOptions s_json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        TypeInfoResolver = WorkloadsJsonContext.Default.WithAddedModifier(OmitResult),
    };

    private static readonly (string Header, Func<StudyCell, object?> Value)[] s_columns =
    [
        ("study", c => c.Study), ("kind", c => c.Kind.ToString().ToLowerInvariant()), ("configuration", c => c.Configuration), ("mode", c => c.Mode),
        ("model", c => c.Model), ("provider", c => c.Provider), ("precision", c => c.Precision), ("batch", c => c.Batch),
        ("graph_optimization", c => c.GraphOptimization), ("image_size", c => c.ImageSize), ("block", c => c.Block), ("width", c => c.Width), ("depth", c => c.Depth),
        ("status", c => c.Status.ToString().ToLowerInvariant()), ("reason_code", c => c.ReasonCode), ("reason", c => c.Reason),
        ("effective_provider", c => c.EffectiveProvider), ("effective_precision", c => c.EffectivePrecision), ("provider_fallback", c => c.ProviderFallback),
        ("iterations", c => c.Iterations), ("mean_latency_s", c => c.MeanLatencySeconds), ("p50_latency_s", c => c.P50LatencySeconds), ("p99_latency_s", c => c.P99LatencySeconds),
        ("latency_cv", c => c.LatencyCv), ("throughput_samples_per_s", c => c.ThroughputSamplesPerSecond), ("session_create_s", c => c.SessionCreateSeconds),
        ("measure_s", c => c.MeasureSeconds), ("process_cpu_s", c => c.ProcessCpuSeconds),
        ("joules_per_sample", c => c.EnergyJoulesPerSample), ("samples_per_joule", c => c.SamplesPerJoule), ("power_w", c => c.PowerWatts), ("energy_reason", c => c.EnergyReason),
        ("drift_max_abs", c => c.DriftMaxAbsError), ("drift_cosine", c => c.DriftCosine), ("drift_top1", c => c.DriftTop1Agreement),
        ("consistency", c => c.Consistency), ("rtr", c => c.Rtr), ("ase", c => c.Ase), ("bsr", c => c.Bsr), ("speedup_vs_baseline", c => c.SpeedupVsBaseline),
        ("speedup_vs_native_fp32", c => c.SpeedupVsNativeFp32), ("speedup_vs_provider_fp32", c => c.SpeedupVsProviderFp32),
        ("latency_speedup_vs_provider_fp32", c => c.LatencySpeedupVsProviderFp32), ("bottleneck", c => c.Bottleneck),
        .. s_stages.Select(s => ($"stage_{s}_s", (Func<StudyCell, object?>)(c => c.StageSeconds is { } d && d.TryGetValue(s, out var v) ? v : null))),
        .. s_stages.Where(s => s is not "preprocess").Select(s => ($"share_{s}", (Func<StudyCell, object?>)(c => c.StageShares is { } d && d.TryGetValue(s, out var v) ? v : null))),
    ];

    /// <summary>The CSV header columns, in order.</summary>
    public static IReadOnlyList<string> CsvColumns { get; } = s_columns.Select(c => c.Header).ToList();

    /// <summary>Writes every file of <paramref name="run"/> into <paramref name="directory"/> (created) and returns their paths.</summary>
    public static IReadOnlyList<string> Write(StudyRun run, string directory)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        var files = new List<string>();
        string Put(string name, string content)
        {
            var path = Path.Combine(directory, name);
            File.WriteAllText(path, content, new UTF8Encoding(false));
            files.Add(path);
            return path;
        }

        Put(CsvFile, Csv(run.Cells));
        Put(JsonFile, Json(run.Cells));
        Put(EnvironmentFile, JsonSerializer.Serialize(new StudyEnvironmentFile(run.Environment, run.Options, run.StartedAt, run.FinishedAt, run.PlannedCells, run.Cells.Count, run.Interrupted), s_json));
        var charts = StudyReport.Charts(run, directory);
        files.AddRange(charts.Select(c => Path.Combine(directory, c.File)));
        Put(ReportFile, StudyReport.Markdown(run, charts));
        return files;
    }

    /// <summary>The CSV text of <paramref name="cells"/> (RFC 4180, invariant culture, header first).</summary>
    public static string Csv(IReadOnlyList<StudyCell> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var csv = new StringBuilder();
        csv.AppendJoin(',', s_columns.Select(c => c.Header)).Append('\n');
        foreach (var cell in cells)
        {
            csv.AppendJoin(',', s_columns.Select(c => Field(c.Value(cell)))).Append('\n');
        }

        return csv.ToString();
    }

    /// <summary>The JSON text of <paramref name="cells"/> (indented, camelCase, absent values null).</summary>
    public static string Json(IReadOnlyList<StudyCell> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        return JsonSerializer.Serialize(cells, s_json);
    }

    /// <summary>
    /// The JSON form of a cell in the study's files (<c>cells.json</c>, <c>study --json</c>): its
    /// columns without the <see cref="StudyCell.Result"/> they are read from. A contract modifier
    /// for <see cref="JsonTypeInfoResolver.WithAddedModifier"/>.
    /// </summary>
    public static void OmitResult(JsonTypeInfo typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (typeInfo.Type != typeof(StudyCell))
        {
            return;
        }

        for (var i = typeInfo.Properties.Count - 1; i >= 0; i--)
        {
            if (typeInfo.Properties[i].AttributeProvider is System.Reflection.PropertyInfo { Name: nameof(StudyCell.Result) })
            {
                typeInfo.Properties.RemoveAt(i);
            }
        }
    }

    private static string Field(object? value)
    {
        var text = value switch
        {
            null => string.Empty,
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            bool b => b ? "true" : "false",
            Precision p => p.ToString(),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? string.Empty,
        };
        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
