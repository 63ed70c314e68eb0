using System.Text.Json.Serialization;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>One canary after matrix expansion: everything a run needs, validated.</summary>
/// <param name="Name">Unique canary name.</param>
/// <param name="Model">The configured model (path or <c>builtin:name</c>).</param>
/// <param name="Variants">Model files per precision; FP32 is the reference for drift.</param>
/// <param name="Provider">Provider name as configured (CPU, CUDA, TensorRT…).</param>
/// <param name="ProviderOptions">Options passed through to the provider.</param>
/// <param name="Precision">Requested precision.</param>
/// <param name="BatchSizes">Batch sizes, one result each.</param>
/// <param name="Threads">Intra-op threads (0 = ONNX Runtime's default).</param>
/// <param name="GraphOptimization">Graph optimisation level.</param>
/// <param name="Inputs">Values of symbolic dimensions and <c>vocab</c>.</param>
/// <param name="InputFiles">.npy files per input name, used instead of generated data.</param>
/// <param name="Seed">Seed of generated inputs.</param>
/// <param name="Measure">Measurement settings.</param>
/// <param name="Schedule">When the daemon runs it.</param>
/// <param name="ImageInput">JPEG size class fed through the preprocessing stage, or null.</param>
/// <param name="Size">Problem size of a CUDA micro-canary (matrix order or MiB), defaulted; null for ONNX canaries.</param>
/// <param name="Sha256">Expected SHA-256 (lower-case hex) per model file path; a file listed here that does not match is refused.</param>
/// <param name="Regression">Overrides of the regression gate, or null.</param>
/// <param name="MemoryLimitMegabytes">The worker's memory limit for this canary; null: <c>Workers:MemoryLimitMegabytes</c>.</param>
/// <param name="CustomOpLibraries">Shared libraries of custom operators registered with every session of this canary.</param>
/// <param name="GpuIo">Where a GPU canary's inputs and outputs live while measured.</param>
/// <param name="TestData">The test data set directory whose inputs feed the model and whose expected outputs are checked, or null.</param>
/// <param name="Tolerance">How far outputs may be from the test data's expected outputs.</param>
public sealed record CanaryDefinition(
    string Name,
    string Model,
    IReadOnlyDictionary<Precision, string> Variants,
    string Provider,
    IReadOnlyDictionary<string, string> ProviderOptions,
    Precision Precision,
    IReadOnlyList<int> BatchSizes,
    int Threads,
    GraphOptimizationLevel GraphOptimization,
    IReadOnlyDictionary<string, long> Inputs,
    IReadOnlyDictionary<string, string> InputFiles,
    int Seed,
    MeasureOptions Measure,
    CanarySchedule Schedule,
    Inputs.ImageSizeClass? ImageInput = null,
    int? Size = null,
    IReadOnlyDictionary<string, string>? Sha256 = null,
    CanaryRegressionOptions? Regression = null,
    int? MemoryLimitMegabytes = null,
    IReadOnlyList<string>? CustomOpLibraries = null,
    GpuIo GpuIo = GpuIo.Device,
    string? TestData = null,
    Tolerance? Tolerance = null)
{
    /// <summary>The model, read: a file, a built-in model or a CUDA micro-canary.</summary>
    [JsonIgnore]
    public ModelRef ModelRef => ModelRef.Parse(Model);

    /// <summary>True for a CUDA micro-canary (<c>cuda:gemm</c>, <c>cuda:memcpy</c>, <c>cuda:pcie</c>).</summary>
    [JsonIgnore]
    public bool IsCuda => ModelRef.Kind == ModelKind.Cuda;

    /// <summary>The device the canary occupies: the CPU, or for a GPU provider the GPU of <c>device_id</c> (default 0).</summary>
    [JsonIgnore]
    public DeviceRef Device => ExecutionProviders.IsCpu(Provider)
        ? DeviceRef.Cpu
        : DeviceRef.Gpu(ProviderOptions.TryGetValue("device_id", out var id) && int.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) ? index : 0);

    /// <summary>A short model label: the file name without extension, the built-in name, or the CUDA model as written.</summary>
    [JsonIgnore]
    public string ModelLabel => ModelRef.Label;
}
