namespace BenchDaemon.Workloads.Cuda;

/// <summary>
/// A GPU's PCIe link: generation (1–6) and width (lanes), as trained now and at most. Any
/// field is null where it could not be read. A GPU lowers its link generation when idle, so
/// the current values are read right after the transfers.
/// </summary>
public sealed record PcieLink(int? CurrentGeneration, int? MaxGeneration, int? CurrentWidth, int? MaxWidth)
{
    /// <summary>True when the link runs below its maximum generation or width.</summary>
    public bool Degraded => CurrentGeneration < MaxGeneration || CurrentWidth < MaxWidth;
}
