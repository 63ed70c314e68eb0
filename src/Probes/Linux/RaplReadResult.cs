namespace BenchDaemon.Probes.Linux;

/// <summary>The outcome of reading every RAPL zone once: the zones that were read and those that were not.</summary>
public sealed record RaplReadResult(IReadOnlyList<RaplReading> Readings, IReadOnlyList<RaplReadFailure> Failures);
