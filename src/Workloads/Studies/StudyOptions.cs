using System.ComponentModel.DataAnnotations;
using BenchDaemon.Probes;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Inputs;
using BenchDaemon.Workloads.Models.Zoo;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Studies;

/// <summary>
/// One study: what <c>benchdaemon study KIND</c> takes from its options, and one element of the
/// <c>Studies</c> configuration array that the daemon runs on a schedule. Every list left
/// empty takes the kind's default (<see cref="StudyDefaults"/>).
/// </summary>
public sealed class StudyOptions : IValidatableObject
{
    /// <summary>
    /// The study's rules (<see cref="StudyPlanner.Validate"/>, which plans the cells to check them),
    /// for its source-generated validator.
    /// </summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        StudyPlanner.Validate(this).Select(p => OptionsMember.Fail(validationContext, p.Field, p.Problem));

    /// <summary>The configuration section (an array).</summary>
    public const string SectionName = "Studies";

    /// <summary>Default schedule of a configured study: Sundays at 03:00 UTC.</summary>
    public const string DefaultCron = "0 0 3 ? * SUN";

    /// <summary>Study name (the <c>study</c> label and the report folder); empty: the kind in lower case.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Which study.</summary>
    public StudyKind Kind { get; set; } = StudyKind.Batch;

    /// <summary>Models as canaries name them: <c>builtin:resnet50</c>, an <c>.onnx</c> path, or a micro-canary such as <c>cuda:gemm</c>.</summary>
    public List<string> Models { get; set; } = [];

    /// <summary>Providers (CPU, CUDA, TensorRT…); one the runtime lacks becomes a skipped cell with the reason.</summary>
    public List<string> Providers { get; set; } = [];

    /// <summary>Precisions.</summary>
    public List<Precision> Precisions { get; set; } = [];

    /// <summary>Batch sizes.</summary>
    public List<int> Batches { get; set; } = [];

    /// <summary>Pipeline study: image size classes.</summary>
    public List<ImageSizeClass> ImageSizes { get; set; } = [];

    /// <summary>Depth study: conv block widths (channels).</summary>
    public List<int> ConvWidths { get; set; } = [];

    /// <summary>Depth study: attention block embedding sizes (multiples of 64).</summary>
    public List<int> AttentionWidths { get; set; } = [];

    /// <summary>Depth study: stack depths.</summary>
    public List<int> Depths { get; set; } = [];

    /// <summary>Depth study: conv input height and width (the paper's 244 is very slow on CPUs).</summary>
    public int ConvImageSize { get; set; } = BlockConfig.DefaultImageSize;

    /// <summary>Graph optimisation of the measured configurations.</summary>
    public GraphOptimizationLevel GraphOptimization { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>Provider of the baseline configuration (BSR, depth speed-up, the native precision baseline).</summary>
    public string BaselineProvider { get; set; } = "CPU";

    /// <summary>Graph optimisation of the baseline configuration: disabled, the analogue of the study's eager "identity" graph.</summary>
    public GraphOptimizationLevel BaselineGraphOptimization { get; set; } = GraphOptimizationLevel.ORT_DISABLE_ALL;

    /// <summary>Intra-op threads per session (0: ONNX Runtime's default, one per physical core).</summary>
    public int Threads { get; set; }

    /// <summary>Short cells and small default sets: minutes instead of hours.</summary>
    public bool Quick { get; set; }

    /// <summary>Measurement of every cell; null: the defaults of <see cref="Quick"/> or full mode.</summary>
    [ValidateObjectMembers(typeof(MeasureOptionsValidator))]
    public MeasureOptions? Measure { get; set; }

    /// <summary>Scheduled studies: a Quartz cron expression (seconds first); empty: <see cref="DefaultCron"/>.</summary>
    public string? Cron { get; set; }

    /// <summary>Scheduled studies: where reports are written; empty: <c>{State:Directory}/studies</c>.</summary>
    public string? OutputDirectory { get; set; }

    /// <summary>The effective name.</summary>
    public string EffectiveName => string.IsNullOrWhiteSpace(Name) ? Kind.ToString().ToLowerInvariant() : Name.Trim();
}
