namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// One way of running a canary — ONNX Runtime sessions, the CUDA micro-canaries — behind the
/// <see cref="CanaryRunner"/>, which picks the engine, times the run's span and turns what an
/// engine throws into a result. Engines share the measured window (<see cref="MeasuredWindow"/>).
/// </summary>
public interface ICanaryEngine
{
    /// <summary>True when this engine runs <paramref name="canary"/>.</summary>
    bool CanRun(CanaryDefinition canary);

    /// <summary>
    /// Runs <paramref name="canary"/> at <paramref name="batch"/>, filling in <paramref name="result"/>
    /// (its labels and start time are set), and tells <paramref name="phase"/> where it is. A
    /// canary problem is a result; a <see cref="CanaryInputException"/> or an I/O error may be thrown
    /// and is turned into one by the runner.
    /// </summary>
    CanaryResult Run(CanaryDefinition canary, int batch, CanaryResult result, Action<CanaryPhase> phase, CancellationToken cancellationToken);
}
