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
internal sealed partial class BenchDaemonJsonContext : JsonSerializerContext;
