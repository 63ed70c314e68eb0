using System.ComponentModel.DataAnnotations;

namespace BenchDaemon.Workers;

/// <summary>
/// The worker processes that run canaries, study cells and model generation (section
/// <c>Workers</c>; docs/workers.md). One worker per device lane is reused for consecutive runs
/// and ended when idle, after a crash, a hang, or when it grew past <see cref="RecycleAboveMegabytes"/>.
/// </summary>
public sealed class WorkerOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Workers";

    /// <summary>Default of <see cref="MemoryLimitMegabytes"/>.</summary>
    public const int DefaultMemoryLimitMegabytes = 2048;

    /// <summary>
    /// A worker whose resident memory passes this is killed and its run recorded as
    /// <c>failed: out_of_memory</c>. A canary can set its own (<c>Canaries:N:MemoryLimitMegabytes</c>).
    /// </summary>
    [Range(64, 1_048_576)]
    public int MemoryLimitMegabytes { get; set; } = DefaultMemoryLimitMegabytes;

    /// <summary>An idle worker ends after this long; zero ends it after every request (a fresh process per run).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A worker still this large after a request is ended rather than reused (ONNX Runtime's arenas do not shrink).</summary>
    [Range(64, 1_048_576)]
    public int RecycleAboveMegabytes { get; set; } = 1024;

    /// <summary>How long a worker may take to start and greet.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long session creation may take (graph compile, TensorRT engine build) before the worker is killed (<c>timeout</c>).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long generating built-in models for one canary may take before the worker is killed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan PrepareTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Past the canary's budget and its in-run grace (ONNX Runtime's terminate flag), how long the
    /// daemon waits before it kills a worker whose call does not return.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan KillGrace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>After a shutdown asked a run to stop, how long the worker has to answer before it is killed.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan CancelGrace { get; set; } = TimeSpan.FromSeconds(3);
}
