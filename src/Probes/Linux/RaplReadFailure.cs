namespace BenchDaemon.Probes.Linux;

/// <summary>A RAPL zone whose counter could not be read this time.</summary>
/// <param name="Domain">The domain label.</param>
/// <param name="Path">The file that could not be read.</param>
/// <param name="Kind">Why, so the caller can phrase its one log message.</param>
/// <param name="Message">The underlying error message.</param>
public sealed record RaplReadFailure(string Domain, string Path, RaplReadFailureKind Kind, string Message);
