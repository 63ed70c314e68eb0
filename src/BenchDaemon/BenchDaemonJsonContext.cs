using System.Text.Json;
using System.Text.Json.Serialization;
using BenchDaemon.Cli;
using BenchDaemon.Configuration;
using BenchDaemon.History;
using BenchDaemon.Probes;
using BenchDaemon.Probes.Nvml.Benchmark;
using BenchDaemon.Workers;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Workloads.Studies;

namespace BenchDaemon;

/// <summary>
/// Serializer metadata of every type the daemon writes or reads as JSON, generated at build time:
/// a native AOT build has no reflection-based serializer, so a type missing here fails in every
/// build (no reflection fallback). The options that use it (<see cref="HistoryJson.Options"/>,
/// <see cref="CliJson.Options"/>, <see cref="WorkerProtocol.Json"/>) keep their own settings;
/// <see cref="Default"/> has the serializer's defaults, for output written without options.
/// </summary>
// The stored history (HistoryStore, EnvironmentFingerprint).
[JsonSerializable(typeof(CanaryResult))]
[JsonSerializable(typeof(EnvironmentFingerprint))]
// The worker protocol, both directions, and the values of a log event's properties.
[JsonSerializable(typeof(WorkerEvent))]
[JsonSerializable(typeof(WorkerRequest))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(byte))]
[JsonSerializable(typeof(short))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(uint))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(ulong))]
[JsonSerializable(typeof(float))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(decimal))]
// What a configuration reload compares (ConfigurationReloader).
[JsonSerializable(typeof(List<KeyValuePair<string, string?>>))]
// The --json outputs of the commands.
[JsonSerializable(typeof(List<CanaryResult>))]
[JsonSerializable(typeof(IReadOnlyList<StudyCell>))]
[JsonSerializable(typeof(List<ReportVerb.ReportRow>))]
[JsonSerializable(typeof(GpuBenchmarkResult))]
[JsonSerializable(typeof(ProbeVerb.ProbeOutput))]
[JsonSerializable(typeof(List<ModelsVerb.ModelOutput>))]
[JsonSerializable(typeof(ModelsVerb.ExportOutput))]
// config check: the effective options, the providers and the canaries.
[JsonSerializable(typeof(MetricsOptions))]
[JsonSerializable(typeof(StateOptions))]
[JsonSerializable(typeof(ProbeOptions))]
[JsonSerializable(typeof(OtlpOptions))]
[JsonSerializable(typeof(LogOptions))]
[JsonSerializable(typeof(CudaOptions))]
[JsonSerializable(typeof(WorkerOptions))]
[JsonSerializable(typeof(List<ConfigCheckVerb.ProviderOutput>))]
[JsonSerializable(typeof(List<ConfigCheckVerb.CanaryOutput>))]
internal sealed partial class BenchDaemonJsonContext : JsonSerializerContext
{
    /// <summary>
    /// Adds to <paramref name="options"/> a string converter, names written by
    /// <paramref name="namingPolicy"/>, for every enum this context reaches: what one
    /// non-generic <see cref="JsonStringEnumConverter"/> does, but that one makes each enum's
    /// converter at run time (MakeGenericType), which a native AOT build cannot.
    /// BenchDaemonJsonContextTests fails when an enum is missing here.
    /// </summary>
    public static JsonSerializerOptions WithStringEnums(JsonSerializerOptions options, JsonNamingPolicy? namingPolicy)
    {
        JsonConverter[] converters =
        [
            new JsonStringEnumConverter<OtlpHistograms>(namingPolicy),
            new JsonStringEnumConverter<OtlpProtocol>(namingPolicy),
            new JsonStringEnumConverter<CanaryPhase>(namingPolicy),
            new JsonStringEnumConverter<CanaryStatus>(namingPolicy),
            new JsonStringEnumConverter<GpuIo>(namingPolicy),
            new JsonStringEnumConverter<Precision>(namingPolicy),
            new JsonStringEnumConverter<GpuLibrarySource>(namingPolicy),
            new JsonStringEnumConverter<Workloads.Inputs.ImageSizeClass>(namingPolicy),
            new JsonStringEnumConverter<Workloads.Models.Zoo.BlockKind>(namingPolicy),
            new JsonStringEnumConverter<StudyKind>(namingPolicy),
            new JsonStringEnumConverter<Microsoft.Extensions.Logging.LogLevel>(namingPolicy),
            new JsonStringEnumConverter<Microsoft.ML.OnnxRuntime.GraphOptimizationLevel>(namingPolicy),
            new JsonStringEnumConverter<Serilog.Events.LogEventLevel>(namingPolicy),
            new JsonStringEnumConverter<System.Diagnostics.ActivityStatusCode>(namingPolicy),
        ];
        foreach (var converter in converters)
        {
            options.Converters.Add(converter);
        }

        return options;
    }
}
