namespace BenchDaemon.Workloads.Studies;

/// <summary>One line of the depth study's summary: how the speed-up over the baseline grows with depth.</summary>
/// <param name="Block">conv or attention.</param>
/// <param name="Width">Channels or embedding.</param>
/// <param name="Provider">Provider of the measured configuration.</param>
/// <param name="Precision">Precision of the measured configuration.</param>
/// <param name="Batch">Batch size.</param>
/// <param name="Points">(depth, speed-up) for every depth with both cells measured.</param>
/// <param name="Slope">Least-squares slope of speed-up over depth; null with fewer than two depths.</param>
/// <param name="Retention">Speed-up at the deepest stack ÷ speed-up at the shallowest.</param>
public sealed record DepthScaling(
    string Block,
    int Width,
    string Provider,
    string Precision,
    int Batch,
    IReadOnlyList<(int Depth, double Speedup)> Points,
    double? Slope,
    double? Retention);
