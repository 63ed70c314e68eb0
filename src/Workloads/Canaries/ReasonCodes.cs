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

    /// <summary>The outputs differ from the test data set's expected outputs beyond the tolerance (the reason names the worst element).</summary>
    public const string WrongResult = "wrong_result";
    public const string Timeout = "timeout";
    public const string Shutdown = "shutdown";
    /// <summary>Before G3: the coefficient of variation was above its limit. No longer given; kept for stored runs and dashboards.</summary>
    public const string Spread = "spread";

    /// <summary>The 95 % confidence interval of the median is wider than <c>Measure:MedianPrecision</c>.</summary>
    public const string MedianImprecise = "median_imprecise";

    /// <summary>The medians of the run's three windows differ by more than <c>Measure:WindowAgreement</c>.</summary>
    public const string WindowsDisagree = "windows_disagree";

    /// <summary>Too few calls for the p99 (<c>Measure:TailConfidence</c>).</summary>
    public const string TailUndersampled = "tail_undersampled";
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
