using System.Text.Json;
using System.Text.Json.Serialization;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Studies;
using Microsoft.Extensions.Logging;

namespace BenchDaemon.Workers;

/// <summary>A message from a worker to the daemon (<see cref="WorkerProtocol"/>).</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(HelloEvent), "hello")]
[JsonDerivedType(typeof(ProgressEvent), "progress")]
[JsonDerivedType(typeof(LogEvent), "log")]
[JsonDerivedType(typeof(DescriptionEvent), "description")]
[JsonDerivedType(typeof(PreparedEvent), "prepared")]
[JsonDerivedType(typeof(RunResultEvent), "result")]
[JsonDerivedType(typeof(StudyCellEvent), "study-cell")]
[JsonDerivedType(typeof(GeneratedEvent), "generated")]
[JsonDerivedType(typeof(FailedEvent), "failed")]
internal abstract record WorkerEvent(long Id);

/// <summary>The worker's first line: the protocol it speaks, its build and its process id.</summary>
internal sealed record HelloEvent(int Protocol, string Version, int Pid) : WorkerEvent(0);

/// <summary>Request <see cref="WorkerEvent.Id"/> entered <see cref="Phase"/>; the daemon's time limit follows the phase.</summary>
internal sealed record ProgressEvent(long Id, CanaryPhase Phase) : WorkerEvent(Id);

/// <summary>
/// One log event of the worker, logged again by the daemon under the same category, level and
/// event id, with the message template and its properties (so structured sinks keep them).
/// </summary>
internal sealed record LogEvent(
    LogLevel Level,
    string Category,
    int EventId,
    string? EventName,
    string Message,
    string? Template,
    IReadOnlyDictionary<string, JsonElement>? Properties,
    string? Exception) : WorkerEvent(0);

/// <summary>Answer to <see cref="DescribeRequest"/>.</summary>
internal sealed record DescriptionEvent(long Id, RuntimeDescription Description) : WorkerEvent(Id);

/// <summary>
/// Answer to <see cref="PrepareRequest"/>: seconds spent generating or verifying model files,
/// the files generated, and — when the models could not be made ready — the result to record
/// instead of running.
/// </summary>
internal sealed record PreparedEvent(long Id, double Seconds, IReadOnlyList<string> Generated, CanaryStatus? Status, string? ReasonCode, string? Reason) : WorkerEvent(Id);

/// <summary>
/// Answer to <see cref="RunRequest"/>: the result, its per-call latencies (<see cref="WorkerProtocol.EncodeSamples"/>,
/// thinned by <see cref="WorkerProtocol.Thin"/> to every <see cref="SampleWeight"/>-th) and its trace spans.
/// </summary>
internal sealed record RunResultEvent(long Id, CanaryResult Result, string? Samples, IReadOnlyList<WorkerSpan>? Spans = null, int SampleWeight = 1) : WorkerEvent(Id);

/// <summary>Answer to <see cref="StudyCellRequest"/>.</summary>
internal sealed record StudyCellEvent(long Id, StudyCell Cell, IReadOnlyList<WorkerSpan>? Spans = null) : WorkerEvent(Id);

/// <summary>Answer to <see cref="GenerateRequest"/>: the cache file.</summary>
internal sealed record GeneratedEvent(long Id, string Path, double Seconds) : WorkerEvent(Id);

/// <summary>The request could not be handled at all (a bug, or a request the worker does not understand).</summary>
internal sealed record FailedEvent(long Id, string Message) : WorkerEvent(Id);
