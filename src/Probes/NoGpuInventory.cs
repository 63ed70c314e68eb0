namespace BenchDaemon.Probes;

/// <summary>The inventory of a machine without a GPU probe: always empty.</summary>
public sealed class NoGpuInventory : IGpuInventory
{
    public IReadOnlyList<GpuIdentity> Gpus => [];
}
