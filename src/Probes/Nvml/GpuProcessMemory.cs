namespace BenchDaemon.Probes.Nvml;

/// <summary>
/// A compute process on a GPU: the GPU memory it uses (null where NVML cannot tell, e.g. in containers)
/// and, with <c>Probes:Gpu:ProcessMetrics</c>, its SM utilisation, its share of the GPU's energy and the
/// container and Kubernetes pod its cgroup names.
/// </summary>
/// <param name="Pid">Host PID.</param>
/// <param name="Name">Command name from <c>/proc/&lt;pid&gt;/comm</c>, <c>unknown</c> where unreadable; empty without process metrics.</param>
/// <param name="UsedBytes">GPU memory of the process.</param>
/// <param name="SmUtilization">Share of NVML's last sample period the process had kernels on the SMs (0–1; nvmlDeviceGetProcessUtilization).</param>
/// <param name="EnergyJoules">
/// Estimated energy since the probe first saw the process: each energy-cadence delta of the GPU's
/// energy split by the processes' SM-utilisation shares (as Kepler does); an estimate, not a measurement.
/// </param>
/// <param name="ContainerId">Container id from the process's cgroup, or null.</param>
/// <param name="PodUid">Kubernetes pod UID from the process's cgroup, or null.</param>
public sealed record GpuProcessMemory(
    int Pid,
    string Name,
    long? UsedBytes,
    double? SmUtilization = null,
    double? EnergyJoules = null,
    string? ContainerId = null,
    string? PodUid = null);
