using System.Globalization;
using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Workloads.Onnx;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// The embedded default: what runs when the configuration names no canaries, every 15 minutes.
/// On every host: ResNet-50 and BERT-base in FP32 and INT8 on the CPU. On each GPU where the
/// CUDA provider is usable (<see cref="ProviderUsabilityReport"/>): the same models on CUDA in
/// FP32 and FP16, the cuBLAS micro-canaries (GEMM in FP32 and FP16, device and PCIe bandwidth),
/// and, where TensorRT is usable, both models on TensorRT in FP16 and INT8. Measurements are
/// short (at least 20 calls and 5 s), so four CPU canaries stay near the default 2 % duty budget
/// on a typical server; GPU canaries run on their GPU's lane.
/// </summary>
public static class DefaultCanaries
{
    /// <summary>How often each default canary runs.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(15);

    /// <summary>Random start delay of each run, so a fleet does not run in lock-step.</summary>
    public static readonly TimeSpan Jitter = TimeSpan.FromMinutes(2);

    private static readonly string[] s_models = ["resnet50", "bert-base"];

    /// <summary>The default canaries for what <paramref name="usability"/> found usable.</summary>
    public static IReadOnlyList<CanaryOptions> For(ProviderUsabilityReport usability)
    {
        ArgumentNullException.ThrowIfNull(usability);
        var canaries = Cpu();
        foreach (var device in usability.UsableDevices(ExecutionProviders.Cuda))
        {
            var name = device == 0 ? "default" : "default-gpu" + device.ToString(CultureInfo.InvariantCulture);
            canaries.Add(Onnx(name, "CUDA", device, Precision.FP32, Precision.FP16));
            if (usability.IsUsable(ExecutionProviders.TensorRt, device))
            {
                canaries.Add(Onnx(name, "TensorRT", device, Precision.FP16, Precision.INT8));
            }

            canaries.Add(Micro(name, device, CudaModels.Gemm, Precision.FP32, Precision.FP16));
            canaries.Add(Micro(name, device, CudaModels.Memcpy, Precision.FP32));
            canaries.Add(Micro(name, device, CudaModels.Pcie, Precision.FP32));
        }

        return canaries;
    }

    private static List<CanaryOptions> Cpu() =>
    [
        Canary("default", [ModelRef.Builtin("resnet50").ToString()], "CPU", null, Precision.FP32, Precision.INT8),
        Canary("default", [ModelRef.Builtin("bert-base").ToString()], "CPU", null, Precision.FP32, Precision.INT8),
    ];

    private static CanaryOptions Onnx(string name, string provider, int device, params Precision[] precisions) =>
        Canary(name, [.. s_models.Select(m => ModelRef.Builtin(m).ToString())], provider, device, precisions);

    private static CanaryOptions Micro(string name, int device, string model, params Precision[] precisions) =>
        Canary(name, [model], "CUDA", device, precisions);

    private static CanaryOptions Canary(string name, List<string> models, string provider, int? device, params Precision[] precisions) => new()
    {
        Name = name,
        Matrix = new CanaryMatrixOptions { Models = models, Providers = [provider], Precisions = [.. precisions] },
        BatchSizes = models.Any(CudaModels.IsCuda) ? null : [1],
        ProviderOptions = device is { } d ? new() { ["device_id"] = d.ToString(CultureInfo.InvariantCulture) } : [],
        Interval = Interval,
        // Four CPU canaries of 10-20 s need about 9 % of a 15-minute cycle, the default budget
        // is 2 %: the interval is planned from their measured cost instead (docs/scheduling.md).
        FitDutyBudget = true,
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
