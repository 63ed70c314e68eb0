using Microsoft.Extensions.Logging;

namespace BenchDaemon.Probes.Nvml;

/// <summary>Log messages of the NVML GPU probe; event ids 1200-1299.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Information,
        Message = "GPU probe up: NVML from {Library}, driver {Driver}, CUDA {Cuda}, {Count} GPUs: {Gpus}.")]
    public static partial void ProbeUp(ILogger logger, string library, string driver, string cuda, int count, string gpus);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning,
        Message = "GPU probe down: {Reason}. GPU metrics are omitted (benchdaemon_gpu_probe_up 0); retrying in {Retry}.")]
    public static partial void ProbeDown(ILogger logger, string reason, TimeSpan retry);

    [LoggerMessage(EventId = 1221, Level = LogLevel.Debug,
        Message = "GPU probe still down: {Reason}; retrying in {Retry}.")]
    public static partial void ProbeStillDown(ILogger logger, string reason, TimeSpan retry);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information,
        Message = "GPU {Index} ({Uuid}): {Field} not supported ({Reason}); omitted for this GPU (logged once).")]
    public static partial void FieldNotSupported(ILogger logger, int index, string uuid, GpuField field, string reason);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning,
        Message = "GPU {Index} ({Uuid}): reading {Field} failed: {Reason}. Omitted until it reads again (logged once).")]
    public static partial void FieldFailed(ILogger logger, int index, string uuid, GpuField field, string reason);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Information, Message = "GPU {Index} ({Uuid}): {Field} reads again.")]
    public static partial void FieldRecovered(ILogger logger, int index, string uuid, GpuField field);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Error,
        Message = "GPU {Index} ({Uuid}) is lost (NVML_ERROR_GPU_IS_LOST): it fell off the bus or stopped responding. benchdaemon_gpu_up 0; a reset or reboot is needed.")]
    public static partial void GpuLost(ILogger logger, int index, string uuid);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Information,
        Message = "GPU {Index} ({Uuid}) has no energy counter (nvmlDeviceGetTotalEnergyConsumption: {Reason}); its energy is power integrated over the probe interval (energy_source=\"power_integration\").")]
    public static partial void EnergyIntegrated(ILogger logger, int index, string uuid, string reason);

    [LoggerMessage(EventId = 1207, Level = LogLevel.Warning, Message = "GPU {Index} ({Uuid}): Xid {Xid} reported by the driver.")]
    public static partial void Xid(ILogger logger, int index, string uuid, long xid);

    [LoggerMessage(EventId = 1209, Level = LogLevel.Information,
        Message = "GPU {Index} ({Uuid}): GPM metric {Metric} not reported ({Reason}); omitted for this GPU (logged once).")]
    public static partial void GpmMetricNotSupported(ILogger logger, int index, string uuid, GpuGpmMetric metric, string reason);

    [LoggerMessage(EventId = 1210, Level = LogLevel.Information,
        Message = "GPU {Index} ({Uuid}): no GPM profiling metrics (SM, tensor, DRAM activity): {Reason}. They are omitted for this GPU (logged once).")]
    public static partial void GpmUnavailable(ILogger logger, int index, string uuid, string reason);

    [LoggerMessage(EventId = 1208, Level = LogLevel.Warning, Message = "GPU {Index}: cannot get its NVML handle: {Reason}; it is skipped.")]
    public static partial void HandleFailed(ILogger logger, int index, string reason);
}
