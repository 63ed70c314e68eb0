using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Inputs;
using BenchDaemon.Workloads.Models.Zoo;

namespace BenchDaemon.Workloads.Studies;

/// <summary>
/// What a study sweeps when its options leave a list empty, in full and in quick mode. Full
/// mode follows the papers (batches 1…32, widths 64–256 and 128–512, depths 1–6); quick mode
/// uses the test-sized models and a few points, for a first look in a minute or two.
/// </summary>
public static class StudyDefaults
{
    /// <summary>Providers every study asks for by default; those the runtime lacks become skipped cells.</summary>
    public static readonly IReadOnlyList<string> Providers = ["CPU", "CUDA", "TensorRT"];

    /// <summary>The options with every empty list replaced by the kind's default.</summary>
    public static StudyOptions Apply(StudyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var quick = options.Quick;
        var resolved = new StudyOptions
        {
            Name = options.Name,
            Kind = options.Kind,
            Models = options.Models.Count > 0 ? [.. options.Models] : DefaultModels(options.Kind, quick),
            Providers = options.Providers.Count > 0 ? [.. options.Providers] : options.Kind == StudyKind.Pipeline ? ["CPU"] : [.. Providers],
            Precisions = options.Precisions.Count > 0 ? [.. options.Precisions] : options.Kind switch
            {
                StudyKind.Precision => [Precision.FP32, Precision.FP16, Precision.INT8],
                StudyKind.Energy => [Precision.FP32, Precision.INT8],
                _ => [Precision.FP32],
            },
            Batches = options.Batches.Count > 0 ? [.. options.Batches] : DefaultBatches(options.Kind, quick),
            ImageSizes = options.ImageSizes.Count > 0 ? [.. options.ImageSizes] : [ImageSizeClass.Small, ImageSizeClass.Medium, ImageSizeClass.Large],
            ConvWidths = options.ConvWidths.Count > 0 ? [.. options.ConvWidths] : quick ? [64] : [.. BlockConfig.ConvWidths],
            AttentionWidths = options.AttentionWidths.Count > 0 ? [.. options.AttentionWidths] : quick ? [128] : [.. BlockConfig.AttentionWidths],
            Depths = options.Depths.Count > 0 ? [.. options.Depths] : quick ? [1, 2, 3] : [1, 2, 3, 4, 5, 6],
            ConvImageSize = options.ConvImageSize,
            GraphOptimization = options.GraphOptimization,
            BaselineProvider = options.BaselineProvider,
            BaselineGraphOptimization = options.BaselineGraphOptimization,
            Threads = options.Threads,
            Quick = quick,
            Measure = options.Measure ?? (quick ? QuickMeasure() : FullMeasure()),
            Cron = options.Cron,
            OutputDirectory = options.OutputDirectory,
        };
        return resolved;
    }

    /// <summary>Quick cells: at least 5 calls and 0.2 s after a short warm-up, at most 10 s each.</summary>
    public static MeasureOptions QuickMeasure() => new()
    {
        MinIterations = 5,
        MinDuration = TimeSpan.FromSeconds(0.2),
        Budget = TimeSpan.FromSeconds(10),
        WarmupMinIterations = 2,
        WarmupMaxIterations = 20,
        WarmupMaxDuration = TimeSpan.FromSeconds(1),
        MaxCoefficientOfVariation = 0.5,
    };

    /// <summary>Full cells: at least 30 calls and 2 s after warm-up (at most 5 s), at most a minute each.</summary>
    public static MeasureOptions FullMeasure() => new()
    {
        MinIterations = 30,
        MinDuration = TimeSpan.FromSeconds(2),
        Budget = TimeSpan.FromSeconds(60),
        WarmupMinIterations = 5,
        WarmupMaxIterations = 200,
        WarmupMaxDuration = TimeSpan.FromSeconds(5),
        MaxCoefficientOfVariation = 0.25,
    };

    private static List<string> DefaultModels(StudyKind kind, bool quick) => kind switch
    {
        StudyKind.Depth => [],
        StudyKind.Pipeline => [quick ? "builtin:resnet-mini" : "builtin:resnet50"],
        _ => quick ? ["builtin:resnet-mini", "builtin:bert-tiny"] : ["builtin:resnet50", "builtin:bert-base"],
    };

    private static List<int> DefaultBatches(StudyKind kind, bool quick) => (kind, quick) switch
    {
        (StudyKind.Batch, false) => [1, 2, 4, 8, 16, 32],
        (StudyKind.Batch, true) => [1, 2, 4],
        (StudyKind.Precision, false) => [1, 8, 16, 32],
        (StudyKind.Precision, true) => [1, 4],
        (StudyKind.Providers, false) => [1, 8],
        (StudyKind.Providers, true) => [1, 4],
        (StudyKind.Pipeline, false) => [1, 8],
        (StudyKind.Pipeline, true) => [1],
        (StudyKind.Energy, false) => [1, 8, 32],
        (StudyKind.Energy, true) => [1, 4],
        (StudyKind.Depth, false) => [1, 8, 16],
        _ => [1, 8],
    };
}
