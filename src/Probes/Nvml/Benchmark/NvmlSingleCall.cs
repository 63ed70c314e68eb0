namespace BenchDaemon.Probes.Nvml.Benchmark;

/// <summary>The single NVML calls <see cref="GpuProbeBenchmark"/> times beside the probe's own reads.</summary>
public enum NvmlSingleCall
{
    /// <summary><c>nvmlDeviceGetUtilizationRates</c>.</summary>
    Utilization,

    /// <summary><c>nvmlDeviceGetPowerUsage</c>.</summary>
    Power,

    /// <summary><c>nvmlDeviceGetTemperature</c> of the GPU die.</summary>
    Temperature,
}
