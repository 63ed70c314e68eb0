using BenchDaemon.History;
using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Tests.History;

/// <summary>Canary results and fingerprints for history tests.</summary>
internal static class Runs
{
    public static EnvironmentFingerprint Fingerprint(string driver = "580.95.05", string ort = "1.31.1") => new()
    {
        Host = "node-1",
        GpuModel = "NVIDIA H100 80GB HBM3",
        GpuUuid = "GPU-5c1e0000-0000-0000-0000-000000000001",
        DriverVersion = driver,
        CudaVersion = "13.0",
        PowerLimitWatts = 700,
        OnnxRuntimeVersion = ort,
        ExecutionProvider = "CUDA device_id=0 threads=0 opt=ORT_ENABLE_ALL",
        ModelHash = new string('a', 64),
    };

    /// <summary>A measured result whose per-call latencies are <paramref name="samples"/>.</summary>
    public static CanaryResult Result(string canary, DateTimeOffset startedAt, IReadOnlyList<double> samples, int batch = 1, CanaryStatus status = CanaryStatus.Ok)
    {
        var stats = LatencyStatistics.From(samples);
        return new CanaryResult
        {
            Canary = canary,
            Model = "mlp",
            Provider = "CPU",
            Precision = Precision.FP32,
            Batch = batch,
            Status = status,
            StartedAt = startedAt,
            Iterations = samples.Count,
            LatencySeconds = stats,
            PerSampleLatencySeconds = stats.Mean / batch,
            ThroughputSamplesPerSecond = batch / stats.Mean,
            Samples = samples,
        };
    }

    /// <summary>A result of <paramref name="count"/> samples around <paramref name="level"/> seconds.</summary>
    public static CanaryResult Level(string canary, DateTimeOffset startedAt, double level, int count = 50, int seed = 1)
    {
        var random = new Random(seed);
        return Result(canary, startedAt, Enumerable.Range(0, count).Select(_ => level * (1 + (0.01 * (random.NextDouble() - 0.5)))).ToArray());
    }
}
