using System.Text.Json.Serialization;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Studies;

namespace BenchDaemon.Workers;

/// <summary>
/// A message from the daemon to a worker (<see cref="WorkerProtocol"/>). Every request but
/// <see cref="InitRequest"/> and <see cref="CancelRequest"/> is answered by exactly one event
/// carrying the same <see cref="Id"/>; a worker handles one request at a time.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(InitRequest), "init")]
[JsonDerivedType(typeof(DescribeRequest), "describe")]
[JsonDerivedType(typeof(PrepareRequest), "prepare")]
[JsonDerivedType(typeof(RunRequest), "run")]
[JsonDerivedType(typeof(StudyCellRequest), "study-cell")]
[JsonDerivedType(typeof(GenerateRequest), "generate")]
[JsonDerivedType(typeof(CancelRequest), "cancel")]
internal abstract record WorkerRequest(long Id);

/// <summary>The first request: the settings the worker needs (it reads no configuration of its own).</summary>
internal sealed record InitRequest(WorkerSettings Settings) : WorkerRequest(0);

/// <summary>Asks for the worker's ONNX Runtime: version, compiled-in providers, load error. Answered by <see cref="DescriptionEvent"/>.</summary>
internal sealed record DescribeRequest(long Id) : WorkerRequest(Id);

/// <summary>Generates or verifies the built-in model files a canary needs (not part of its timed run). Answered by <see cref="PreparedEvent"/>.</summary>
internal sealed record PrepareRequest(long Id, CanaryDefinition Canary) : WorkerRequest(Id);

/// <summary>Runs one canary at one batch size. Answered by <see cref="RunResultEvent"/>, after <see cref="ProgressEvent"/>s.</summary>
internal sealed record RunRequest(long Id, CanaryDefinition Canary, int Batch) : WorkerRequest(Id);

/// <summary>Measures one study cell. Answered by <see cref="StudyCellEvent"/>.</summary>
internal sealed record StudyCellRequest(long Id, StudyOptions Study, StudyCellPlan Cell, string? EnergyReason) : WorkerRequest(Id);

/// <summary>Writes a built-in model into the cache. Answered by <see cref="GeneratedEvent"/>.</summary>
internal sealed record GenerateRequest(long Id, string Model, Precision Precision) : WorkerRequest(Id);

/// <summary>Cancels request <see cref="Target"/> if it is still running (shutdown): it ends as soon as it can, with what it has.</summary>
internal sealed record CancelRequest(long Target) : WorkerRequest(0);
