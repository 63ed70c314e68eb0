namespace BenchDaemon.Bench.Canary;

/// <summary>What <see cref="FidelityBenchmark"/> runs.</summary>
internal sealed record FidelitySettings(
    string BenchDaemon,
    string Node,
    string NodeScript,
    string ModelDirectory,
    string WorkDirectory,
    IReadOnlyList<(string Model, int Iterations)> Cases,
    int Rounds);
