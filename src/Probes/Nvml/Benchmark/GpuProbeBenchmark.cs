using System.Diagnostics;
using Perfolizer.Mathematics.QuantileEstimators;
using Pragmastat;

namespace BenchDaemon.Probes.Nvml.Benchmark;

/// <summary>
/// The probe's own cost per GPU (<c>benchdaemon probe --gpu-benchmark</c>, bench/nvml): times the
/// reads of a started <see cref="GpuProbe"/> and a few single NVML calls for comparison.
/// </summary>
public static class GpuProbeBenchmark
{
    /// <summary>
    /// Times the probe's reads per GPU: the fast sample, the energy read, the slow (PCIe) sample and
    /// single utilisation, power and temperature calls, <paramref name="iterations"/> times each
    /// (<paramref name="slowIterations"/> for the slow sample, whose calls block about 20 ms).
    /// </summary>
    public static GpuBenchmarkResult Run(GpuProbe probe, int iterations, int slowIterations)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(slowIterations, 1);
        return probe.WithLiveDevices(
            (devices, processMetrics, timeProvider) =>
            {
                var results = new List<GpuBenchmarkGpu>();
                foreach (var device in devices)
                {
                    var frequency = timeProvider.TimestampFrequency;
                    var costs = new List<GpuCost>
                    {
                        Time("fast_sample", iterations, () => device.SampleFast(timeProvider.GetTimestamp(), processMetrics, frequency)),
                        Time("energy_read", iterations, () => device.ReadEnergy()),
                        Time("violation_sample", Math.Min(iterations, 200), device.SampleViolations),
                        Time("pcie_sample", slowIterations, device.SampleSlow),
                    };
                    if (device.HasGpm)
                    {
                        // Each call takes one GPM sample and computes the metrics against the previous one: a clock
                        // one second ahead per call keeps the reader from dropping samples closer than 100 ms.
                        var clock = timeProvider.GetTimestamp();
                        costs.Add(Time("gpm_sample", Math.Min(iterations, 200), () => device.SampleGpm(clock += (long)frequency, frequency)));
                    }

                    costs.AddRange(
                    [
                        Time("xid_event_poll", iterations, probe.DrainXidEvents),
                        // Per-process SM utilisation and the energy split (energy cadence, with Probes:Gpu:ProcessMetrics).
                        Time("process_sample", iterations, device.SampleProcessUsage),
                        .. Enum.GetValues<NvmlSingleCall>().Select(call => Time(Name(call), iterations, () => Call(device, call))),
                    ]);
                    results.Add(new GpuBenchmarkGpu(device.Identity.Index, device.Identity.Uuid, device.Identity.Name, costs));
                }

                return new GpuBenchmarkResult(true, null, results);
            },
            reason => new GpuBenchmarkResult(false, reason, []));
    }

    private static string Name(NvmlSingleCall call) => call switch
    {
        NvmlSingleCall.Utilization => "utilization_call",
        NvmlSingleCall.Power => "power_call",
        NvmlSingleCall.Temperature => "temperature_call",
        _ => throw new ArgumentOutOfRangeException(nameof(call), call, null),
    };

    private static unsafe NvmlReturn Call(GpuDevice device, NvmlSingleCall call)
    {
        uint value;
        NvmlUtilization utilization;
        return call switch
        {
            NvmlSingleCall.Utilization => NvmlNative.nvmlDeviceGetUtilizationRates(device.Handle, &utilization),
            NvmlSingleCall.Power => NvmlNative.nvmlDeviceGetPowerUsage(device.Handle, &value),
            NvmlSingleCall.Temperature => NvmlNative.nvmlDeviceGetTemperature(device.Handle, NvmlNative.TemperatureGpu, &value),
            _ => throw new ArgumentOutOfRangeException(nameof(call), call, null),
        };
    }

    private static GpuCost Time(string name, int iterations, Action action)
    {
        action(); // First call outside the timing: binds the P/Invoke stubs and warms caches.
        var micros = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            action();
            // Raw ticks (nanoseconds on Linux): TimeSpan would round to 0.1 µs.
            micros[i] = (Stopwatch.GetTimestamp() - start) * 1e6 / Stopwatch.Frequency;
        }

        var sample = new Sample(micros);
        return new GpuCost(name, iterations, Percentile(sample, 0.5), Percentile(sample, 0.99), micros.Min(), micros.Average());
    }

    private static GpuCost Time<T>(string name, int iterations, Func<T> action) => Time(name, iterations, () => { _ = action(); });

    // Hyndman–Fan type 7 (NumPy's default), as every other quantile BenchDaemon reports.
    private static double Percentile(Sample sample, double p) => SimpleQuantileEstimator.Instance.Quantile(sample, p).NominalValue;
}
