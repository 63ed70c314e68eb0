using System.Globalization;
using BenchDaemon.Probes;
using BenchDaemon.Probes.Nvml;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Telemetry;

/// <summary>
/// Writes the GPU metrics from the sampler's latest snapshot. Values arrive in NVML's units and
/// leave in base units (the probe converts mW→W, mJ→J, MHz→Hz, KB/s→B/s, percent→ratio). A field
/// the GPU does not support is not written, so its series does not exist.
/// </summary>
public sealed class GpuMetricSource : IMetricSource
{
    private static readonly string[] s_clockNames = ["sm", "memory", "graphics"];

    private readonly ProbeSampler _sampler;
    private readonly bool _processMetrics;

    public GpuMetricSource(ProbeSampler sampler, IOptions<ProbeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _sampler = sampler;
        _processMetrics = options.Value.Gpu?.ProcessMetrics ?? false;
    }

    public void Collect(IMetricWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (_sampler.Latest.Gpu is not { } probe)
        {
            return;
        }

        writer.Write(TelemetryCatalogue.GpuProbeUp, probe.Up ? 1 : 0);
        foreach (var (reason, count) in probe.Errors)
        {
            writer.Write(TelemetryCatalogue.GpuProbeErrors, count, reason);
        }

        foreach (var gpu in probe.Gpus)
        {
            Write(writer, gpu);
        }
    }

    private void Write(IMetricWriter writer, GpuSample gpu)
    {
        var id = gpu.Identity;
        var index = id.Index.ToString(CultureInfo.InvariantCulture);
        string[] labels = [index, id.Uuid];
        writer.Write(TelemetryCatalogue.GpuUp, gpu.Up ? 1 : 0, labels);
        writer.Write(TelemetryCatalogue.GpuInfo, 1, index, id.Uuid, id.Name, id.PciBusId, id.DriverVersion, id.CudaDriverVersion, id.ComputeCapability, gpu.EnergySource);
        if (!gpu.Up)
        {
            return;
        }

        writer.Write(TelemetryCatalogue.GpuMemoryTotal, id.MemoryTotalBytes, labels);
        writer.WriteOptional(TelemetryCatalogue.GpuPowerLimit, id.PowerLimitWatts, labels);
        writer.WriteOptional(TelemetryCatalogue.GpuUtilization, gpu.Utilization, labels);
        writer.WriteOptional(TelemetryCatalogue.GpuMemoryUtilization, gpu.MemoryUtilization, labels);
        writer.WriteOptional(TelemetryCatalogue.GpuMemoryUsed, gpu.MemoryUsedBytes, labels);
        writer.WriteOptional(TelemetryCatalogue.GpuMemoryFree, gpu.MemoryFreeBytes, labels);
        writer.WriteOptional(TelemetryCatalogue.GpuMemoryReserved, gpu.MemoryReservedBytes, labels);
        writer.WriteOptional(TelemetryCatalogue.GpuPower, gpu.PowerWatts, labels);
        writer.WriteOptional(TelemetryCatalogue.GpuEnergy, gpu.EnergyJoules, labels);
        Clocks(writer, TelemetryCatalogue.GpuClock, gpu.Clocks, index, id.Uuid);
        Clocks(writer, TelemetryCatalogue.GpuClockMax, gpu.MaxClocks, index, id.Uuid);
        writer.WriteOptional(TelemetryCatalogue.GpuTemperature, gpu.TemperatureCelsius, labels);
        if (gpu.ClockEventReasons is { } reasons)
        {
            foreach (var (name, bit) in GpuClockEvents.Reasons)
            {
                writer.Write(TelemetryCatalogue.GpuClockEventActive, (reasons & bit) != 0 ? 1 : 0, index, id.Uuid, name);
            }
        }

        foreach (var (reason, seconds) in gpu.ViolationSeconds ?? new Dictionary<string, double>())
        {
            writer.Write(TelemetryCatalogue.GpuClockEventSeconds, seconds, index, id.Uuid, reason);
        }

        writer.WriteOptional(TelemetryCatalogue.GpuPerformanceState, gpu.PerformanceState, labels);
        if (gpu.Pcie is { } pcie)
        {
            writer.WriteOptional(TelemetryCatalogue.GpuPcieThroughput, pcie.TransmitBytesPerSecond, index, id.Uuid, "transmit");
            writer.WriteOptional(TelemetryCatalogue.GpuPcieThroughput, pcie.ReceiveBytesPerSecond, index, id.Uuid, "receive");
            writer.WriteOptional(TelemetryCatalogue.GpuPcieLinkGeneration, pcie.LinkGeneration, labels);
            writer.WriteOptional(TelemetryCatalogue.GpuPcieLinkMaxGeneration, pcie.LinkMaxGeneration, labels);
            writer.WriteOptional(TelemetryCatalogue.GpuPcieLinkWidth, pcie.LinkWidth, labels);
            writer.WriteOptional(TelemetryCatalogue.GpuPcieLinkMaxWidth, pcie.LinkMaxWidth, labels);
        }

        if (gpu.Ecc is { } ecc)
        {
            writer.WriteOptional(TelemetryCatalogue.GpuEccErrors, ecc.Corrected, index, id.Uuid, "corrected");
            writer.WriteOptional(TelemetryCatalogue.GpuEccErrors, ecc.Uncorrected, index, id.Uuid, "uncorrected");
            writer.WriteOptional(TelemetryCatalogue.GpuRetiredPages, ecc.RetiredSingleBit, index, id.Uuid, "single_bit");
            writer.WriteOptional(TelemetryCatalogue.GpuRetiredPages, ecc.RetiredDoubleBit, index, id.Uuid, "double_bit");
            writer.WriteOptional(TelemetryCatalogue.GpuRemappedRows, ecc.RemappedCorrectable, index, id.Uuid, "correctable");
            writer.WriteOptional(TelemetryCatalogue.GpuRemappedRows, ecc.RemappedUncorrectable, index, id.Uuid, "uncorrectable");
            writer.WriteOptional(TelemetryCatalogue.GpuRemappedRows, ecc.RemappedPending, index, id.Uuid, "pending");
            writer.WriteOptional(TelemetryCatalogue.GpuRemappedRows, ecc.RemappedFailure, index, id.Uuid, "failure");
        }

        if (gpu.Gpm is { } gpm)
        {
            WriteGpm(writer, gpm, index, id.Uuid);
        }

        WriteMig(writer, gpu, index, id.Uuid);

        foreach (var link in gpu.Nvlinks ?? [])
        {
            var number = link.Link.ToString(CultureInfo.InvariantCulture);
            writer.Write(TelemetryCatalogue.GpuNvlinkActive, link.Active ? 1 : 0, index, id.Uuid, number);
            writer.WriteOptional(TelemetryCatalogue.GpuNvlinkData, link.TransmitBytes, index, id.Uuid, number, "transmit");
            writer.WriteOptional(TelemetryCatalogue.GpuNvlinkData, link.ReceiveBytes, index, id.Uuid, number, "receive");
            foreach (var (type, count) in link.Errors)
            {
                writer.Write(TelemetryCatalogue.GpuNvlinkErrors, count, index, id.Uuid, number, type);
            }
        }

        foreach (var (xid, count) in gpu.XidErrors ?? new Dictionary<long, long>())
        {
            writer.Write(TelemetryCatalogue.GpuXidErrors, count, index, id.Uuid, xid.ToString(CultureInfo.InvariantCulture));
        }

        if (_processMetrics)
        {
            // A process that left the GPU is not written, so its series go with it (the sink unpublishes them).
            foreach (var process in gpu.Processes ?? [])
            {
                var pid = process.Pid.ToString(CultureInfo.InvariantCulture);
                writer.WriteOptional(TelemetryCatalogue.GpuProcessMemoryUsed, process.UsedBytes, index, id.Uuid, pid, process.Name);
                writer.WriteOptional(TelemetryCatalogue.GpuProcessSmUtilization, process.SmUtilization, index, id.Uuid, pid, process.Name);
                writer.WriteOptional(TelemetryCatalogue.GpuProcessEnergy, process.EnergyJoules, index, id.Uuid, pid, process.Name);
                writer.Write(TelemetryCatalogue.GpuProcessInfo, 1, index, id.Uuid, pid, process.Name, process.ContainerId ?? string.Empty, process.PodUid ?? string.Empty);
            }
        }
    }

    // GPM metric → (catalogue metric, third label or null).
    private static readonly (GpuGpmMetric Metric, MetricDefinition Definition, string? Label)[] s_gpm =
    [
        (GpuGpmMetric.GraphicsActive, TelemetryCatalogue.GpuGraphicsEngineActive, null),
        (GpuGpmMetric.SmActive, TelemetryCatalogue.GpuSmActive, null),
        (GpuGpmMetric.SmOccupancy, TelemetryCatalogue.GpuSmOccupancy, null),
        (GpuGpmMetric.TensorActive, TelemetryCatalogue.GpuTensorActive, null),
        (GpuGpmMetric.HmmaTensorActive, TelemetryCatalogue.GpuTensorPipeActive, "hmma"),
        (GpuGpmMetric.ImmaTensorActive, TelemetryCatalogue.GpuTensorPipeActive, "imma"),
        (GpuGpmMetric.DfmaTensorActive, TelemetryCatalogue.GpuTensorPipeActive, "dfma"),
        (GpuGpmMetric.DmmaTensorActive, TelemetryCatalogue.GpuTensorPipeActive, "dmma"),
        (GpuGpmMetric.Fp16Active, TelemetryCatalogue.GpuPipeActive, "fp16"),
        (GpuGpmMetric.Fp32Active, TelemetryCatalogue.GpuPipeActive, "fp32"),
        (GpuGpmMetric.Fp64Active, TelemetryCatalogue.GpuPipeActive, "fp64"),
        (GpuGpmMetric.IntegerActive, TelemetryCatalogue.GpuPipeActive, "integer"),
        (GpuGpmMetric.DramActive, TelemetryCatalogue.GpuDramActive, null),
        (GpuGpmMetric.PcieTransmit, TelemetryCatalogue.GpuPcieTraffic, "transmit"),
        (GpuGpmMetric.PcieReceive, TelemetryCatalogue.GpuPcieTraffic, "receive"),
        (GpuGpmMetric.NvlinkTransmit, TelemetryCatalogue.GpuNvlinkTraffic, "transmit"),
        (GpuGpmMetric.NvlinkReceive, TelemetryCatalogue.GpuNvlinkTraffic, "receive"),
    ];

    private static void WriteGpm(IMetricWriter writer, GpuGpmSample gpm, string index, string uuid)
    {
        foreach (var (metric, definition, label) in s_gpm)
        {
            if (gpm.Get(metric) is { } value)
            {
                if (label is null)
                {
                    writer.Write(definition, value, index, uuid);
                }
                else
                {
                    writer.Write(definition, value, index, uuid, label);
                }
            }
        }
    }

    private static readonly (GpuGpmMetric Metric, MetricDefinition Definition, string? Pipe)[] s_migGpm =
    [
        (GpuGpmMetric.SmActive, TelemetryCatalogue.GpuMigSmActive, null),
        (GpuGpmMetric.SmOccupancy, TelemetryCatalogue.GpuMigSmOccupancy, null),
        (GpuGpmMetric.TensorActive, TelemetryCatalogue.GpuMigTensorActive, null),
        (GpuGpmMetric.DramActive, TelemetryCatalogue.GpuMigDramActive, null),
        (GpuGpmMetric.Fp16Active, TelemetryCatalogue.GpuMigPipeActive, "fp16"),
        (GpuGpmMetric.Fp32Active, TelemetryCatalogue.GpuMigPipeActive, "fp32"),
        (GpuGpmMetric.Fp64Active, TelemetryCatalogue.GpuMigPipeActive, "fp64"),
        (GpuGpmMetric.IntegerActive, TelemetryCatalogue.GpuMigPipeActive, "integer"),
    ];

    private static void WriteMig(IMetricWriter writer, GpuSample gpu, string index, string uuid)
    {
        var profiles = new Dictionary<int, string>();
        foreach (var mig in gpu.Mig ?? [])
        {
            var gi = mig.GpuInstance.ToString(CultureInfo.InvariantCulture);
            writer.Write(TelemetryCatalogue.GpuMigInfo, 1, index, uuid, gi, mig.ComputeInstance.ToString(CultureInfo.InvariantCulture), mig.Profile, mig.Uuid);
            // Memory belongs to the GPU instance: written once, from its first compute instance.
            if (profiles.TryAdd(mig.GpuInstance, mig.GpuInstanceProfile))
            {
                writer.WriteOptional(TelemetryCatalogue.GpuMigMemoryUsed, mig.MemoryUsedBytes, index, uuid, gi, mig.GpuInstanceProfile);
                writer.WriteOptional(TelemetryCatalogue.GpuMigMemoryTotal, mig.MemoryTotalBytes, index, uuid, gi, mig.GpuInstanceProfile);
            }
        }

        foreach (var (instance, gpm) in gpu.MigGpm ?? new Dictionary<int, GpuGpmSample>())
        {
            if (!profiles.TryGetValue(instance, out var profile))
            {
                continue;
            }

            var gi = instance.ToString(CultureInfo.InvariantCulture);
            foreach (var (metric, definition, pipe) in s_migGpm)
            {
                if (gpm.Get(metric) is not { } value)
                {
                    continue;
                }

                if (pipe is null)
                {
                    writer.Write(definition, value, index, uuid, gi, profile);
                }
                else
                {
                    writer.Write(definition, value, index, uuid, gi, profile, pipe);
                }
            }
        }
    }

    private static void Clocks(IMetricWriter writer, MetricDefinition metric, GpuClocks? clocks, string index, string uuid)
    {
        if (clocks is null)
        {
            return;
        }

        double?[] values = [clocks.SmHertz, clocks.MemoryHertz, clocks.GraphicsHertz];
        for (var i = 0; i < values.Length; i++)
        {
            writer.WriteOptional(metric, values[i], index, uuid, s_clockNames[i]);
        }
    }
}
