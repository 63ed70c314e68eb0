namespace BenchDaemon.Regression;

/// <summary>One measured value of a metric in a series.</summary>
/// <param name="RunId">The stored run it came from (0 in simulations).</param>
/// <param name="Time">When the run started.</param>
/// <param name="Value">The metric as measured (seconds, samples/s, joules…); must be positive.</param>
/// <param name="Confirmation">True for an immediate re-run asked for by the gate.</param>
public readonly record struct Draw(long RunId, DateTimeOffset Time, double Value, bool Confirmation);
