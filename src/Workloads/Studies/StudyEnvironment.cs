using System.Runtime.InteropServices;
using BenchDaemon.Probes;

namespace BenchDaemon.Workloads.Studies;

/// <summary>The environment fingerprint at the top of every report: enough to tell two machines or two software stacks apart.</summary>
/// <param name="Host">Host name.</param>
/// <param name="Os">Operating system and kernel.</param>
/// <param name="CpuModel">CPU model name from /proc/cpuinfo, or the architecture where it is not readable.</param>
/// <param name="LogicalCores">Logical CPUs this process may use.</param>
/// <param name="Runtime">.NET runtime.</param>
/// <param name="BenchDaemonVersion">BenchDaemon version.</param>
/// <param name="OnnxRuntimeVersion">ONNX Runtime native library version.</param>
/// <param name="OnnxRuntimeProviders">Execution providers the loaded ONNX Runtime offers.</param>
/// <param name="Gpus">GPUs the GPU probe reports (name, driver, memory); empty without GPU or probe.</param>
/// <param name="EnergyCounters">Readable energy counters, or empty.</param>
public sealed record StudyEnvironment(
    string Host,
    string Os,
    string CpuModel,
    int LogicalCores,
    string Runtime,
    string BenchDaemonVersion,
    string OnnxRuntimeVersion,
    IReadOnlyList<string> OnnxRuntimeProviders,
    IReadOnlyList<string> Gpus,
    IReadOnlyList<string> EnergyCounters)
{
    /// <summary>Collects the fingerprint of this machine.</summary>
    public static StudyEnvironment Capture(string benchDaemonVersion, string onnxRuntimeVersion, IReadOnlyList<string> providers, IGpuInventory? gpus, IEnergyMeter? energy)
    {
        ArgumentNullException.ThrowIfNull(providers);
        IReadOnlyList<string> gpuNames = gpus?.Gpus.Select(g =>
            $"{g.Index}: {g.Name} (driver {g.DriverVersion}, CUDA {g.CudaDriverVersion}, CC {g.ComputeCapability}, {g.MemoryTotalBytes / (1L << 30)} GiB)").ToList() ?? [];
        IReadOnlyList<string> counters;
        try
        {
            counters = energy?.ReadEnergy().Select(c => c.Domain).ToList() ?? [];
        }
        catch (IOException)
        {
            counters = [];
        }

        return new StudyEnvironment(
            Environment.MachineName,
            RuntimeInformation.OSDescription,
            ReadCpuModel(),
            Environment.ProcessorCount,
            RuntimeInformation.FrameworkDescription,
            benchDaemonVersion,
            onnxRuntimeVersion,
            providers,
            gpuNames,
            counters);
    }

    /// <summary>The first <c>model name</c> of /proc/cpuinfo, else the process architecture.</summary>
    internal static string ReadCpuModel(string cpuinfoPath = "/proc/cpuinfo")
    {
        try
        {
            foreach (var line in File.ReadLines(cpuinfoPath))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
                {
                    return line[(colon + 1)..].Trim();
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not Linux or not readable: fall through to the architecture.
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
