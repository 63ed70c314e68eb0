namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// The bounded set of reason codes a result carries, so that the <c>reason</c> label of
/// <c>benchdaemon_canary_runs_total</c> stays low-cardinality while <see cref="CanaryResult.Reason"/>
/// keeps the full text.
/// </summary>
public static class ReasonCodes
{
    public const string ProviderUnavailable = "provider_unavailable";
    public const string PrecisionUnavailable = "precision_unavailable";
    public const string ModelUnavailable = "model_unavailable";
    public const string RuntimeUnavailable = "runtime_unavailable";
    public const string ModelInvalid = "model_invalid";

    /// <summary>The model file's SHA-256 differs from the configured <c>Sha256</c>: the canary is refused (failed).</summary>
    public const string IntegrityMismatch = "integrity_mismatch";
    public const string InputError = "input_error";
    public const string RuntimeError = "runtime_error";
    public const string OutOfMemory = "out_of_memory";
    public const string NonFiniteOutput = "non_finite_output";
    public const string Timeout = "timeout";
    public const string Shutdown = "shutdown";
    public const string Spread = "spread";
    public const string BudgetReached = "budget_reached";
    public const string CpuBusy = "cpu_busy";
    public const string GpuBusy = "gpu_busy";
    public const string Thermal = "thermal";
    public const string DutyBudget = "duty_budget";
    public const string QueueFull = "queue_full";

    /// <summary>The CUDA driver (libcuda.so.1) is missing or refuses to start (cuInit).</summary>
    public const string DriverUnavailable = "driver_unavailable";

    /// <summary>A CUDA library (cuBLASLt) is missing.</summary>
    public const string LibraryUnavailable = "library_unavailable";

    /// <summary>No CUDA device, or not the one asked for.</summary>
    public const string DeviceUnavailable = "device_unavailable";

    /// <summary>A CUDA driver or cuBLAS call failed mid-run (the reason names the error).</summary>
    public const string CudaError = "cuda_error";

    /// <summary>The worker process running the canary died (a signal, such as a crash in native code); the reason names the signal and its last log line.</summary>
    public const string WorkerCrashed = "worker_crashed";

    /// <summary>No worker process could be started to run the canary.</summary>
    public const string WorkerUnavailable = "worker_unavailable";
}
