namespace BenchDaemon.Bench.Canary;

/// <summary>The measurements of every model and arm, in round order.</summary>
internal sealed record FidelityResults(
    IReadOnlyList<(string Model, int Iterations)> Cases,
    IReadOnlyDictionary<(string Model, string Arm), List<FidelityBenchmark.Measurement>> Samples,
    string NodeVersion);
