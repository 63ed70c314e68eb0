namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// Where a canary run is: what a worker reports to the daemon, whose time limit for the run
/// follows the phase (a TensorRT engine build may take minutes; a measured window is bounded by
/// the canary's budget).
/// </summary>
public enum CanaryPhase
{
    /// <summary>Generating or verifying model files (outside the run's time and duty budget).</summary>
    Preparing,

    /// <summary>Creating the session or the GPU context and buffers: compile, engine build, allocation.</summary>
    Session,

    /// <summary>Warm-up and the measured window, bounded by <see cref="MeasureOptions.Budget"/>.</summary>
    Measuring,

    /// <summary>After the window: output checks and the drift reference.</summary>
    Checking,
}
