using System.Globalization;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models.Zoo;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Studies;

/// <summary>
/// Checks a study's options and turns them into cells. Every cell is an ordinary
/// <see cref="CanaryDefinition"/> expanded by <see cref="CanaryExpander"/>, so anything a
/// canary can run — built-in models, <c>.onnx</c> files, any provider, micro-canaries such as
/// <c>cuda:gemm</c> once the runner has them — a study can sweep; what this machine lacks
/// becomes a skipped cell with the reason, not an error.
/// </summary>
public static class StudyPlanner
{
    /// <summary>Largest number of cells one study may plan.</summary>
    public const int MaxCells = 5000;

    /// <summary>The problems of <paramref name="options"/> as (property, message); empty when valid. Lists may be empty (defaults apply).</summary>
    public static IReadOnlyList<(string Field, string Problem)> Validate(StudyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<(string, string)>();
        if (!Enum.IsDefined(options.Kind))
        {
            errors.Add((nameof(options.Kind), $"'{options.Kind}' is not a study kind (batch, precision, providers, pipeline, energy, depth)"));
        }

        if (options.EffectiveName.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            errors.Add((nameof(options.Name), $"'{options.Name}' may contain only letters, digits, '-', '_' and '.' (it names a folder and a metric label)"));
        }

        foreach (var model in options.Models)
        {
            if (ModelProblem(model) is { } problem)
            {
                errors.Add((nameof(options.Models), problem));
            }
        }

        if (options.Kind == StudyKind.Depth && options.Models.Count > 0)
        {
            errors.Add((nameof(options.Models), "the depth study builds its own block models; choose them with ConvWidths, AttentionWidths and Depths"));
        }

        foreach (var provider in options.Providers.Where(string.IsNullOrWhiteSpace))
        {
            errors.Add((nameof(options.Providers), "a provider name must not be empty"));
        }

        foreach (var batch in options.Batches.Where(b => b is < 1 or > CanaryExpander.MaxBatchSize))
        {
            errors.Add((nameof(options.Batches), $"{batch} is out of range 1-{CanaryExpander.MaxBatchSize}"));
        }

        Distinct(options.Batches, nameof(options.Batches), errors);
        Distinct(options.Depths, nameof(options.Depths), errors);
        foreach (var precision in options.Precisions.Where(p => !Enum.IsDefined(p)))
        {
            errors.Add((nameof(options.Precisions), $"'{precision}' is not a precision (FP32, FP16, INT8)"));
        }

        foreach (var depth in options.Depths.Where(d => d is < 1 or > BlockConfig.MaxDepth))
        {
            errors.Add((nameof(options.Depths), $"{depth} is out of range 1-{BlockConfig.MaxDepth}"));
        }

        foreach (var width in options.ConvWidths.Where(w => w is < 1 or > BlockConfig.MaxWidth))
        {
            errors.Add((nameof(options.ConvWidths), $"{width} is out of range 1-{BlockConfig.MaxWidth}"));
        }

        foreach (var width in options.AttentionWidths.Where(w => w is < BlockConfig.HeadDimension or > BlockConfig.MaxWidth || w % BlockConfig.HeadDimension != 0))
        {
            errors.Add((nameof(options.AttentionWidths), $"{width} must be a multiple of {BlockConfig.HeadDimension} between {BlockConfig.HeadDimension} and {BlockConfig.MaxWidth}"));
        }

        if (options.ConvImageSize is < 8 or > BlockConfig.MaxImageSize)
        {
            errors.Add((nameof(options.ConvImageSize), $"{options.ConvImageSize} is out of range 8-{BlockConfig.MaxImageSize}"));
        }

        if (options.Threads is < 0 or > 1024)
        {
            errors.Add((nameof(options.Threads), $"{options.Threads} is out of range 0-1024 (0 = ONNX Runtime's default)"));
        }

        if (string.IsNullOrWhiteSpace(options.BaselineProvider))
        {
            errors.Add((nameof(options.BaselineProvider), "must not be empty"));
        }

        if (errors.Count == 0)
        {
            // The cells themselves: measurement settings and everything CanaryExpander checks.
            try
            {
                var (cells, cellErrors) = PlanCells(StudyDefaults.Apply(options), Path.GetTempPath());
                errors.AddRange(cellErrors);
                if (cells.Count > MaxCells)
                {
                    errors.Add((nameof(options.Batches), string.Create(CultureInfo.InvariantCulture, $"the study would measure {cells.Count} cells; at most {MaxCells}")));
                }
            }
            catch (ArgumentException ex)
            {
                errors.Add((nameof(options.Models), ex.Message));
            }
        }

        return errors;
    }

    /// <summary>The cells of a valid study (lists resolved by <see cref="StudyDefaults.Apply"/>), in run order.</summary>
    /// <param name="options">The resolved options.</param>
    /// <param name="engineCacheDirectory">Where the providers study's TensorRT rung keeps its engine cache.</param>
    /// <exception cref="ArgumentException">The options are not valid.</exception>
    public static IReadOnlyList<StudyCellPlan> Plan(StudyOptions options, string engineCacheDirectory)
    {
        var (cells, errors) = PlanCells(options, engineCacheDirectory);
        return errors.Count == 0
            ? cells
            : throw new ArgumentException(string.Join("; ", errors.Select(e => $"{e.Field}: {e.Problem}")), nameof(options));
    }

    /// <summary>Null when a study can name <paramref name="model"/>, else why not.</summary>
    public static string? ModelProblem(string model)
    {
        if (string.IsNullOrWhiteSpace(model))
        {
            return "a model must not be empty";
        }

        if (ModelRef.Parse(model) is { Kind: ModelKind.Builtin } builtin)
        {
            var name = builtin.Name;
            try
            {
                _ = BlockConfig.TryParse(name);
            }
            catch (ArgumentException ex)
            {
                return ex.Message;
            }

            return ModelZoo.TryGet(name) is null ? $"'{model}' is not a built-in model; built-in models: {ModelZoo.KnownNames}" : null;
        }

        // A scheme other than builtin (cuda:gemm…) is a micro-canary: the runner decides.
        if (IsMicroCanary(model))
        {
            return null;
        }

        return File.Exists(model) ? null : $"model file not found: {model} (give an .onnx path, builtin:NAME or a micro-canary such as cuda:gemm)";
    }

    /// <summary>True for <c>scheme:name</c> models other than built-ins (and not a path).</summary>
    public static bool IsMicroCanary(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var colon = model.IndexOf(':', StringComparison.Ordinal);
        return colon > 1 && ModelRef.Parse(model).Kind != ModelKind.Builtin
               && model[..colon].All(char.IsAsciiLetterOrDigit) && !model.Contains('/', StringComparison.Ordinal);
    }

    private static (List<StudyCellPlan> Cells, List<(string Field, string Problem)> Errors) PlanCells(StudyOptions o, string engineCacheDirectory)
    {
        var cells = new List<StudyCellPlan>();
        var errors = new List<(string, string)>();
        var canaries = new Dictionary<string, CanaryDefinition>(StringComparer.Ordinal);

        CanaryDefinition? Canary(string model, string provider, Precision precision, GraphOptimizationLevel optimization, Inputs.ImageSizeClass? image = null, Dictionary<string, string>? providerOptions = null)
        {
            var label = ModelRef.Parse(model).Label;
            var name = string.Join('-', "study", o.EffectiveName, label, provider.ToLowerInvariant(), precision.ToString().ToLowerInvariant(), OptimizationLabel(optimization))
                       + (image is { } i ? "-" + i.ToString().ToLowerInvariant() : string.Empty);
            if (canaries.TryGetValue(name, out var existing))
            {
                return existing;
            }

            var (expanded, problems) = CanaryExpander.Expand(
            [
                new CanaryOptions
                {
                    Name = name,
                    Model = model,
                    Provider = provider,
                    Precision = precision,
                    BatchSizes = [.. o.Batches],
                    Threads = o.Threads,
                    GraphOptimization = optimization,
                    ImageInput = image,
                    Measure = o.Measure ?? StudyDefaults.FullMeasure(),
                    ProviderOptions = providerOptions ?? [],
                },
            ]);
            foreach (var (key, problem) in problems)
            {
                var field = key.Split(':').Last();
                errors.Add((field == "Measure" || key.Contains(":Measure:", StringComparison.Ordinal) ? "Measure:" + field : field, problem));
            }

            if (expanded.Count != 1)
            {
                return null;
            }

            canaries[name] = expanded[0];
            return expanded[0];
        }

        void Add(CanaryDefinition? canary, int batch, string configuration, string mode, Inputs.ImageSizeClass? image = null, BlockConfig? block = null)
        {
            if (canary is not null)
            {
                cells.Add(new StudyCellPlan(canary, batch, configuration, mode, image, block));
            }
        }

        var baselineFp32 = o.Kind is StudyKind.Batch or StudyKind.Precision or StudyKind.Providers or StudyKind.Depth;
        switch (o.Kind)
        {
            case StudyKind.Batch:
            case StudyKind.Precision:
            case StudyKind.Energy:
                foreach (var model in o.Models)
                {
                    foreach (var batch in o.Batches)
                    {
                        if (baselineFp32)
                        {
                            Add(Canary(model, o.BaselineProvider, Precision.FP32, o.BaselineGraphOptimization), batch, StudyCellPlan.Baseline, StudyCellPlan.InferenceMode);
                        }

                        foreach (var provider in o.Providers)
                        {
                            foreach (var precision in o.Precisions)
                            {
                                Add(Canary(model, provider, precision, o.GraphOptimization), batch, StudyCellPlan.Optimised, StudyCellPlan.InferenceMode);
                            }
                        }
                    }
                }

                break;

            case StudyKind.Providers:
                foreach (var model in o.Models)
                {
                    foreach (var batch in o.Batches)
                    {
                        Add(Canary(model, o.BaselineProvider, Precision.FP32, o.BaselineGraphOptimization), batch, StudyCellPlan.Baseline, StudyCellPlan.InferenceMode);
                        foreach (var provider in o.Providers)
                        {
                            // The ladder's top rung: TensorRT in FP16 with its engine cache, as seed 000's optimised setup.
                            var trt = ExecutionProviders.ToOrtName(provider) == "TensorrtExecutionProvider";
                            var options = trt
                                ? new Dictionary<string, string>(StringComparer.Ordinal) { ["trt_engine_cache_enable"] = "1", ["trt_engine_cache_path"] = engineCacheDirectory }
                                : null;
                            Add(Canary(model, provider, trt ? Precision.FP16 : Precision.FP32, o.GraphOptimization, providerOptions: options), batch, StudyCellPlan.Optimised, StudyCellPlan.InferenceMode);
                        }
                    }
                }

                break;

            case StudyKind.Pipeline:
                foreach (var model in o.Models)
                {
                    foreach (var provider in o.Providers)
                    {
                        foreach (var batch in o.Batches)
                        {
                            Add(Canary(model, provider, o.Precisions[0], o.GraphOptimization), batch, StudyCellPlan.Optimised, StudyCellPlan.InferenceMode);
                            foreach (var size in o.ImageSizes)
                            {
                                var e2e = Canary(model, provider, o.Precisions[0], o.GraphOptimization, size);
                                Add(e2e, batch, StudyCellPlan.Optimised, StudyCellPlan.PreprocessMode, size);
                                Add(e2e, batch, StudyCellPlan.Optimised, StudyCellPlan.EndToEndMode, size);
                            }
                        }
                    }
                }

                break;

            case StudyKind.Depth:
                var blocks = o.ConvWidths.Select(w => (BlockKind.Conv, w)).Concat(o.AttentionWidths.Select(w => (BlockKind.Attention, w)));
                foreach (var (kind, width) in blocks)
                {
                    foreach (var depth in o.Depths)
                    {
                        var block = new BlockConfig(kind, width, depth, kind == BlockKind.Conv ? o.ConvImageSize : 0);
                        var model = ModelRef.Builtin(block.Name).ToString();
                        foreach (var batch in o.Batches)
                        {
                            Add(Canary(model, o.BaselineProvider, Precision.FP32, o.BaselineGraphOptimization), batch, StudyCellPlan.Baseline, StudyCellPlan.InferenceMode, block: block);
                            foreach (var provider in o.Providers)
                            {
                                foreach (var precision in o.Precisions)
                                {
                                    Add(Canary(model, provider, precision, o.GraphOptimization), batch, StudyCellPlan.Optimised, StudyCellPlan.InferenceMode, block: block);
                                }
                            }
                        }
                    }
                }

                break;
        }

        return (cells, errors.Distinct().ToList());
    }

    /// <summary>A short label of a graph optimisation level: disabled, basic, extended, layout, all.</summary>
    public static string OptimizationLabel(GraphOptimizationLevel level) => level switch
    {
        GraphOptimizationLevel.ORT_DISABLE_ALL => "disabled",
        GraphOptimizationLevel.ORT_ENABLE_BASIC => "basic",
        GraphOptimizationLevel.ORT_ENABLE_EXTENDED => "extended",
        GraphOptimizationLevel.ORT_ENABLE_ALL => "all",
        _ => ((int)level).ToString(CultureInfo.InvariantCulture),
    };

    private static void Distinct(List<int> values, string field, List<(string, string)> errors)
    {
        if (values.Distinct().Count() != values.Count)
        {
            errors.Add((field, "lists a value twice"));
        }
    }
}
