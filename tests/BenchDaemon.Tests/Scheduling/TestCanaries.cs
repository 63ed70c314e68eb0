using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Tests.Scheduling;

/// <summary>Canaries built the way the daemon builds them: options through <see cref="CanaryExpander"/>.</summary>
public static class TestCanaries
{
    /// <summary>A short measurement for tests on two shared cores.</summary>
    public static MeasureOptions Quick(TimeSpan? minDuration = null) => new()
    {
        MinIterations = 10,
        MinDuration = minDuration ?? TimeSpan.FromMilliseconds(20),
        Budget = TimeSpan.FromSeconds(60),
        WarmupMaxDuration = TimeSpan.FromMilliseconds(100),
    };

    public static CanaryDefinition Cpu(string name, string model, MeasureOptions? measure = null, TimeSpan? interval = null, string? cron = null) =>
        Expand(new CanaryOptions
        {
            Name = name,
            Model = model,
            Provider = "CPU",
            BatchSizes = [1],
            Threads = 1,
            Measure = measure ?? Quick(),
            Interval = interval,
            Cron = cron,
        });

    public static CanaryDefinition Gpu(string name, string deviceId) =>
        Expand(new CanaryOptions
        {
            Name = name,
            Model = "/models/never-read.onnx",
            Provider = "CUDA",
            ProviderOptions = new() { ["device_id"] = deviceId },
            BatchSizes = [1],
            Measure = Quick(),
        });

    private static CanaryDefinition Expand(CanaryOptions options)
    {
        var (canaries, errors) = CanaryExpander.Expand([options]);
        Assert.Empty(errors);
        return Assert.Single(canaries);
    }
}
