namespace BenchDaemon.Workloads.Cuda;

/// <summary>Reads the PCIe link of a device by its PCI bus id (sysfs today; NVML can stand in).</summary>
public interface IPcieLinkReader
{
    /// <summary>The link of <paramref name="pciBusId"/> (<c>0000:3b:00.0</c>, any case), or null when the device is unknown.</summary>
    PcieLink? Read(string pciBusId);
}
