using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// One element of the <c>Canaries</c> array: a canary, or a matrix of canaries. Ranges are
/// attributes, the rules across keys are <see cref="Validate"/> (CanaryOptions.Rules.cs); both run in
/// <see cref="CanaryOptionsValidator"/>, under the element's key (<c>Canaries:2</c>), from
/// <see cref="CanaryExpander.Validate"/>.
/// </summary>
public sealed partial class CanaryOptions : IValidatableObject
{
    /// <summary>The configuration section these options bind to (an array).</summary>
    public const string SectionName = "Canaries";

    /// <summary>Canary name (the <c>canary</c> label); a matrix appends model, provider and precision.</summary>
    [Required]
    public string Name { get; set; } = string.Empty;

    /// <summary>
    /// Path of an <c>.onnx</c> file (the FP32 model when <see cref="Variants"/> are given), <c>builtin:name</c>,
    /// or a CUDA micro-canary: <c>cuda:gemm</c>, <c>cuda:memcpy</c>, <c>cuda:pcie</c>.
    /// </summary>
    public string? Model { get; set; }

    /// <summary>Model files per precision, for example <c>{ "FP16": "/models/resnet-fp16.onnx" }</c>.</summary>
    public Dictionary<Precision, string> Variants { get; set; } = [];

    /// <summary>
    /// Expected SHA-256 of <see cref="Model"/> (64 hex digits). When set, a file that does not
    /// match is refused: the run fails with reason <c>integrity_mismatch</c> and is not measured.
    /// </summary>
    public string? Sha256 { get; set; }

    /// <summary>Expected SHA-256 per precision of the <see cref="Variants"/> files, as for <see cref="Sha256"/>.</summary>
    public Dictionary<Precision, string> VariantsSha256 { get; set; } = [];

    /// <summary>Expand into model × provider × precision canaries instead of naming one model.</summary>
    [ValidateObjectMembers(typeof(CanaryMatrixOptionsValidator))]
    public CanaryMatrixOptions? Matrix { get; set; }

    /// <summary>Execution provider: CPU, CUDA, TensorRT, or any provider the loaded ONNX Runtime lists.</summary>
    public string Provider { get; set; } = "CPU";

    /// <summary>Options passed to the execution provider as they are (for example <c>device_id</c>).</summary>
    public Dictionary<string, string> ProviderOptions { get; set; } = [];

    /// <summary>
    /// Requested precision. Unset: the precision of the model file, read from its graph
    /// (quantization operators: INT8; float16 weights or inputs: FP16; else FP32), and FP32 for
    /// built-in models and matrices.
    /// </summary>
    public Precision? Precision { get; set; }

    /// <summary>Batch sizes; one result per batch size. Unset: <c>[1]</c>.</summary>
    /// <remarks>Null by default because the configuration binder appends to an existing list.</remarks>
    public List<int>? BatchSizes { get; set; }

    /// <summary>Intra-op threads, 0–1024; 0 lets ONNX Runtime choose (one per physical core).</summary>
    [Range(0, 1024)]
    public int Threads { get; set; }

    /// <summary>ONNX Runtime graph optimisation level.</summary>
    public GraphOptimizationLevel GraphOptimization { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>
    /// Values for symbolic input dimensions other than the batch (for example
    /// <c>{ "sequence": 128 }</c>), plus <c>vocab</c>: the exclusive upper bound of generated token ids.
    /// </summary>
    public Dictionary<string, long> Inputs { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Real input data per model input, as NumPy <c>.npy</c> files (<c>np.save</c>), instead of
    /// generated data. The first dimension is the batch: a file with batch 1 is repeated.
    /// </summary>
    public Dictionary<string, string> InputFiles { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// A test data set directory (<c>input_0.pb</c>, <c>input_1.pb</c>… and, where present,
    /// <c>output_0.pb</c>…: serialized ONNX values, as <c>onnxruntime_perf_test</c> reads them) whose
    /// inputs feed the model and whose expected outputs every run is checked against. Unset: the
    /// first <c>test_data_set_N</c> directory beside the model is used when there is one (and
    /// <see cref="InputFiles"/> are not given); <c>none</c>: never.
    /// </summary>
    public string? TestData { get; set; }

    /// <summary>How far a run's outputs may be from the test data's expected outputs (see <see cref="ToleranceOptions"/>).</summary>
    [ValidateObjectMembers(typeof(ToleranceOptionsValidator))]
    public ToleranceOptions Tolerance { get; set; } = new();

    /// <summary>
    /// For image models: feed the float NCHW input through the real serving pipeline each
    /// call — JPEG decode, resize, centre crop, normalise — from a generated JPEG of this size
    /// class, and time that stage apart from inference. Unset: no preprocessing stage.
    /// </summary>
    public Inputs.ImageSizeClass? ImageInput { get; set; }

    /// <summary>
    /// Problem size of a CUDA micro-canary: the matrix order n of <c>cuda:gemm</c> (n×n·n×n,
    /// default 8192), or the buffer size in MiB of <c>cuda:memcpy</c> (default 1024) and
    /// <c>cuda:pcie</c> (default 256). Not valid for ONNX canaries.
    /// </summary>
    public int? Size { get; set; }

    /// <summary>Seed of the generated input data.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Measurement settings.</summary>
    [ValidateObjectMembers(typeof(MeasureOptionsValidator))]
    public MeasureOptions Measure { get; set; } = new();

    /// <summary>
    /// Run every this long (the daemon's schedule), 1 s (<see cref="CanarySchedule.MinimumInterval"/>)
    /// to 31 days (<see cref="CanaryExpander.MaxInterval"/>); ignored when <see cref="Cron"/> is set.
    /// Unset and no cron: every 15 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "31.00:00:00")]
    public TimeSpan? Interval { get; set; }

    /// <summary>
    /// Treat <see cref="Interval"/> as a floor and lengthen it from the canaries' measured cost so
    /// that all canaries with this set stay within <c>Guards:DutyFraction</c>; the built-in
    /// defaults set it. Not with <see cref="Cron"/>.
    /// </summary>
    public bool FitDutyBudget { get; set; }

    /// <summary>A Quartz cron expression (seconds first, for example <c>0 */15 * * * ?</c>).</summary>
    public string? Cron { get; set; }

    /// <summary>Overrides of the regression gate's minimum effect for this canary.</summary>
    [ValidateObjectMembers(typeof(CanaryRegressionOptionsValidator))]
    public CanaryRegressionOptions? Regression { get; set; }

    /// <summary>
    /// Resident memory (MiB) the canary's worker process may use before it is killed and the run
    /// recorded as <c>failed: out_of_memory</c>, 64 MiB to 1 TiB. Unset: <c>Workers:MemoryLimitMegabytes</c> (2048).
    /// </summary>
    [Range(CanaryExpander.MinMemoryLimitMegabytes, CanaryExpander.MaxMemoryLimitMegabytes)]
    public int? MemoryLimitMegabytes { get; set; }

    /// <summary>
    /// Shared libraries of custom operators (ONNX Runtime's <c>RegisterCustomOps</c> entry point)
    /// the model needs, registered with every session of the canary; they run in the canary's
    /// worker process like ONNX Runtime itself.
    /// </summary>
    public List<string> CustomOpLibraries { get; set; } = [];

    /// <summary>
    /// GPU canaries: <c>Device</c> (inputs and outputs in the GPU's memory; the loop times
    /// inference) or <c>EndToEnd</c> (host inputs and outputs every call; host→device, inference
    /// and device→host reported apart). Ignored on the CPU provider.
    /// </summary>
    public GpuIo GpuIo { get; set; } = GpuIo.Device;

    /// <summary>
    /// Each scheduled run starts after a random delay up to this long, so a fleet does not run in
    /// lock-step; at most 1 day (<see cref="CanaryExpander.MaxJitter"/>) and shorter than the interval.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan Jitter { get; set; }
}
