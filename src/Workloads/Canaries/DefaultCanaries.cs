namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// The embedded default: what runs when the configuration names no canaries. ResNet-50 and
/// BERT-base in FP32 and INT8 on the CPU every 15 minutes, and in FP16 on CUDA and TensorRT
/// when the loaded ONNX Runtime has them. Measurements are short (at least 20 calls and 5 s),
/// so four CPU canaries stay near the default 2 % duty budget on a typical server.
/// </summary>
public static class DefaultCanaries
{
    /// <summary>How often each default canary runs.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(15);

    /// <summary>Random start delay of each run, so a fleet does not run in lock-step.</summary>
    public static readonly TimeSpan Jitter = TimeSpan.FromMinutes(2);

    /// <summary>The default canaries for a runtime offering <paramref name="providers"/>.</summary>
    public static IReadOnlyList<CanaryOptions> For(IReadOnlyCollection<string> providers)
    {
        ArgumentNullException.ThrowIfNull(providers);
        var canaries = new List<CanaryOptions>
        {
            Canary("resnet50", "CPU", Precision.FP32, Precision.INT8),
            Canary("bert-base", "CPU", Precision.FP32, Precision.INT8),
        };
        foreach (var (provider, ortName) in new[] { ("CUDA", "CUDAExecutionProvider"), ("TensorRT", "TensorrtExecutionProvider") })
        {
            if (providers.Contains(ortName))
            {
                canaries.Add(Canary("resnet50", provider, Precision.FP16));
                canaries.Add(Canary("bert-base", provider, Precision.FP16));
            }
        }

        return canaries;
    }

    private static CanaryOptions Canary(string model, string provider, params Precision[] precisions) => new()
    {
        Name = "default",
        Matrix = new CanaryMatrixOptions { Models = [ModelRef.Builtin(model).ToString()], Providers = [provider], Precisions = [.. precisions] },
        BatchSizes = [1],
        Interval = Interval,
        Jitter = Jitter,
        Measure = new MeasureOptions
        {
            MinIterations = 20,
            MinDuration = TimeSpan.FromSeconds(5),
            Budget = TimeSpan.FromMinutes(2),
            WarmupMaxDuration = TimeSpan.FromSeconds(10),
        },
    };
}
