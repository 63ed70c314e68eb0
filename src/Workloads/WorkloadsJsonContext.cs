using System.Text.Json.Serialization;
using BenchDaemon.Workloads.Onnx;
using BenchDaemon.Workloads.Studies;

namespace BenchDaemon.Workloads;

/// <summary>
/// Serializer metadata of every type this library writes or reads as JSON, generated at build
/// time: a native AOT build has no reflection-based serializer. Options that use it keep their
/// own settings (naming, converters); this only says what each type looks like.
/// </summary>
[JsonSerializable(typeof(ProviderUsabilityReport))]
[JsonSerializable(typeof(IReadOnlyList<StudyCell>))]
[JsonSerializable(typeof(StudyEnvironmentFile))]
internal sealed partial class WorkloadsJsonContext : JsonSerializerContext;
