using System.Globalization;
using BenchDaemon.Probes;
using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Workloads.Onnx;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// Turns the <c>Canaries</c> configuration into <see cref="CanaryDefinition"/>s, expanding
/// matrices, and reports the problems with their configuration keys: each canary's options
/// through its generated validator (<see cref="Validate(string, CanaryOptions)"/>), then what only
/// the expansion can see.
/// </summary>
public static class CanaryExpander
{
    private static readonly CanaryOptionsValidator s_validator = new();

    /// <summary>Prefix of built-in model names (<c>builtin:resnet50</c>).</summary>
    public const string BuiltinPrefix = ModelRef.BuiltinPrefix;

    /// <summary>Largest batch size accepted.</summary>
    public const int MaxBatchSize = 4096;

    /// <summary>Longest canary name (it is a label value on every canary series).</summary>
    public const int MaxNameLength = 128;

    /// <summary>Most measured or warm-up iterations a canary may ask for.</summary>
    public const int MaxIterations = 10_000_000;

    /// <summary>Longest time budget, warm-up cap or minimum duration of one run (the bound of MeasureOptions' range attributes).</summary>
    public static readonly TimeSpan MaxRunTime = TimeSpan.FromHours(1);

    /// <summary>Longest schedule interval.</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromDays(31);

    /// <summary>Longest jitter.</summary>
    public static readonly TimeSpan MaxJitter = TimeSpan.FromDays(1);

    /// <summary>Largest value of a symbolic input dimension other than <c>vocab</c>.</summary>
    public const long MaxDimension = 1 << 20;

    /// <summary>
    /// Checks one canary with its generated validator (<see cref="CanaryOptionsValidator"/>:
    /// attributes, the rules of each type, nested sections) under its key, <paramref name="key"/>
    /// (<c>Canaries:2</c>); returns the problems as <c>(key, message)</c> pairs, empty when valid.
    /// </summary>
    public static IReadOnlyList<(string Key, string Problem)> Validate(string key, CanaryOptions options)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        return [.. OptionsMember.Failures(s_validator.Validate(key, options), key, options)];
    }

    /// <summary>
    /// Validates (<see cref="Validate(string, CanaryOptions)"/>) and expands; returns the problems
    /// as <c>(key, message)</c> pairs, empty when valid, and the warnings (a declared precision that
    /// contradicts the model file).
    /// </summary>
    public static CanaryExpansion Expand(IReadOnlyList<CanaryOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var canaries = new List<CanaryDefinition>();
        var errors = new List<(string, string)>();
        var warnings = new List<(string, string)>();
        for (var i = 0; i < options.Count; i++)
        {
            var key = $"{CanaryOptions.SectionName}:{i.ToString(CultureInfo.InvariantCulture)}";
            var o = options[i];
            if (Validate(key, o) is { Count: > 0 } invalid)
            {
                errors.AddRange(invalid);
                continue;
            }

            // What is left needs more than the options object, so it cannot be an attribute or
            // a rule of CanaryOptions: the files on disk (a test data directory, the model's
            // graph for its inputs and precision, a test data set read), the matrix expanded into
            // canaries, and the names of all canaries together (below).
            CheckTestDataOnDisk(key, o, errors);
            if (o.Matrix is null)
            {
                var model = o.Model!; // CanaryOptions' rules require it without a Matrix.

                // One pass over a model file: its inputs for the batch check, its precision for the default.
                var graph = ModelRef.Parse(model).Kind == ModelKind.File ? OnnxModelPrecision.TryReadGraph(model) : null;
                if (graph is { } read && o.BatchSizes is { Count: > 0 } configured && FixedShapeProblem(model, read.Inputs, configured) is { } problem)
                {
                    errors.Add(($"{key}:BatchSizes", problem));
                    continue;
                }

                var filePrecision = graph?.Precision;
                var precision = o.Precision ?? filePrecision ?? Precision.FP32;
                if (TryDefinition($"{key}:TestData", errors, () => Definition(o, o.Name, model, o.Provider, precision, filePrecision, graph?.Inputs)) is { } canary)
                {
                    if (o.Precision is { } declared && filePrecision is { } own && PrecisionMismatch(canary, declared, own) is { } mismatch)
                    {
                        warnings.Add(($"{key}:Precision", mismatch));
                    }

                    canaries.Add(canary);
                }

                continue;
            }

            var providers = o.Matrix.Providers.Count > 0 ? o.Matrix.Providers : [o.Provider];
            var precisions = o.Matrix.Precisions.Count > 0 ? o.Matrix.Precisions : [o.Precision ?? Precision.FP32];
            foreach (var model in o.Matrix.Models)
            {
                // A CUDA micro-canary has one provider (CUDA) whatever the matrix lists.
                foreach (var provider in CudaModels.IsCuda(model) ? [CudaProvider] : providers)
                {
                    foreach (var precision in precisions)
                    {
                        var label = ModelRef.Parse(model) is { Kind: ModelKind.Cuda } cuda ? cuda.Name[ModelRef.CudaPrefix.Length..] : ModelLabel(model);
                        var name = string.Join('-', o.Name, label, provider.ToLowerInvariant(), precision.ToString().ToLowerInvariant());
                        if (TryDefinition($"{key}:Matrix:Models", errors, () => Definition(o, name, model, provider, precision)) is { } expanded)
                        {
                            canaries.Add(expanded);
                        }
                    }
                }
            }
        }

        foreach (var duplicate in canaries.GroupBy(c => c.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add((CanaryOptions.SectionName, $"canary name '{duplicate.Key}' is used {duplicate.Count()} times; names must be unique"));
        }

        return new CanaryExpansion(canaries, errors, warnings);
    }

    /// <summary>A short model label: the file name without extension, the built-in name, or the CUDA model as written.</summary>
    public static string ModelLabel(string model) => ModelRef.Parse(model).Label;

    /// <summary>Smallest per-canary worker memory limit, MiB (the worker itself needs some).</summary>
    public const int MinMemoryLimitMegabytes = 64;

    /// <summary>Largest per-canary worker memory limit, MiB (1 TiB).</summary>
    public const int MaxMemoryLimitMegabytes = 1_048_576;

    /// <summary>The provider label of CUDA micro-canaries.</summary>
    public const string CudaProvider = "CUDA";

    /// <summary>Whether <paramref name="provider"/> names CUDA, the provider of micro-canaries.</summary>
    internal static bool IsCudaProvider(string provider) =>
        string.Equals(provider, CudaProvider, StringComparison.OrdinalIgnoreCase)
        || string.Equals(provider, "CUDAExecutionProvider", StringComparison.Ordinal);

    // A model none of whose inputs has a symbolic first dimension runs at its own shapes only: a
    // batch size other than its fixed first dimension cannot apply to it.
    private static string? FixedShapeProblem(string path, IReadOnlyList<ModelInput> inputs, IReadOnlyList<int> batchSizes)
    {
        var batched = inputs.Where(i => i.Dimensions.Count > 0).ToList();
        if (batched.Count == 0 || batched.Any(i => i.Dimensions[0] < 0))
        {
            return null;
        }

        var first = batched.Select(i => i.Dimensions[0]).Distinct().ToList();
        if (first.Count == 1 && batchSizes.All(b => b == first[0]))
        {
            return null;
        }

        var shapes = string.Join(", ", batched.Take(3).Select(i => $"{i.Name} [{string.Join(", ", i.Dimensions)}]"));
        return string.Create(CultureInfo.InvariantCulture,
            $"[{string.Join(", ", batchSizes)}] cannot apply: no input of {Path.GetFileName(path)} has a symbolic first dimension ({shapes}); leave BatchSizes unset to run it at its own shapes");
    }

    /// <summary>The value of <c>TestData</c> that turns the automatic use of a test data set off.</summary>
    public const string NoTestData = "none";

    // Whether a configured test data set is one is a question for the disk; the rest of TestData
    // is CanaryOptions' rules.
    private static void CheckTestDataOnDisk(string key, CanaryOptions o, List<(string, string)> errors)
    {
        if (o.TestData is not { } directory || string.Equals(directory.Trim(), NoTestData, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (!Directory.Exists(directory))
        {
            errors.Add(($"{key}:TestData", $"'{directory}' is not a directory"));
        }
        else if (!File.Exists(Path.Combine(directory, "input_0.pb")))
        {
            errors.Add(($"{key}:TestData", $"'{directory}' holds no input_0.pb (a test data set has input_0.pb, input_1.pb… and optionally output_0.pb…)"));
        }
    }

    // The test data set a file model uses: the configured one, or the first test_data_set_N
    // beside the model unless the inputs come from elsewhere or the user said none.
    private static string? TestDataFor(CanaryOptions o, string model)
    {
        if (ModelRef.Parse(model).Kind != ModelKind.File)
        {
            return null;
        }

        if (o.TestData is { } configured)
        {
            return string.Equals(configured.Trim(), NoTestData, StringComparison.OrdinalIgnoreCase) ? null : Path.GetFullPath(configured);
        }

        return o.InputFiles.Count == 0 && o.ImageInput is null ? Onnx.TestDataSet.Find(model) : null;
    }

    // BatchSizes unset with a test data set: the data's own batch (1 when the model has no
    // symbolic first dimension).
    private static int[] DefaultBatchSizes(string? testData, string model, IReadOnlyList<ModelInput>? inputs)
    {
        // A configured set that is not one is said by CheckTestDataOnDisk.
        if (testData is null || !File.Exists(model) || !File.Exists(Path.Combine(testData, "input_0.pb")))
        {
            return [1];
        }

        inputs ??= Onnx.OnnxModelInputs.Read(model);
        return Onnx.TestDataSet.Batch(testData, inputs) is { } batch ? [checked((int)Math.Clamp(batch, 1, MaxBatchSize))] : [1];
    }

    // A test data set that cannot be read is the configuration's problem, said at the check.
    private static CanaryDefinition? TryDefinition(string errorKey, List<(string, string)> errors, Func<CanaryDefinition> create)
    {
        try
        {
            return create();
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            errors.Add((errorKey, $"the test data set cannot be read: {ex.Message}"));
            return null;
        }
    }

    /// <summary>
    /// Why a declared precision that is not the model file's will not run as meant, or null
    /// where the configuration makes it meaningful: a variant of that precision, or TensorRT
    /// building an FP32 file with its FP16 or INT8 option (OnnxRuntimeEngine's rules).
    /// </summary>
    private static string? PrecisionMismatch(CanaryDefinition canary, Precision declared, Precision own)
    {
        if (declared == own || (canary.Variants.TryGetValue(declared, out var variant) && !string.Equals(variant, canary.Model, StringComparison.Ordinal)))
        {
            return null;
        }

        var tensorRt = ExecutionProviders.ToOrtName(canary.Provider) == ExecutionProviders.TensorRt;
        if (tensorRt && own == Precision.FP32)
        {
            return null;
        }

        var graph = own switch
        {
            Precision.INT8 => "quantization operators",
            Precision.FP16 => "float16 weights or inputs",
            _ => "no quantization operators, no float16 weights",
        };
        var file = $"{Path.GetFileName(canary.Model)} is an {own} graph ({graph})";
        if (declared == Precision.FP32)
        {
            return $"FP32, but {file}: it runs as it is, labelled FP32, and without drift; leave Precision unset to run it as {own}, or name the FP32 model in Variants:FP32";
        }

        var ways = own == Precision.FP32 ? $"Variants:{declared} or TensorRT" : $"Variants:{declared}";
        var outcome = $"as configured the canary is skipped ({ReasonCodes.PrecisionUnavailable})";
        return $"{declared}, but {file}: it runs as {declared} only through {ways}; {outcome}";
    }

    private static CanaryDefinition Definition(CanaryOptions o, string name, string model, string provider, Precision precision, Precision? filePrecision = null, IReadOnlyList<ModelInput>? inputs = null)
    {
        var cuda = CudaModels.IsCuda(model);
        var testData = TestDataFor(o, model);
        var tolerance = Tolerance.Default(precision, provider);
        var variants = new Dictionary<Precision, string>(o.Variants);
        if (filePrecision is { } own && own != Precision.FP32)
        {
            // The file is a quantized or float16 export: the variant of its own precision, not an
            // FP32 reference for drift or for TensorRT's FP16/INT8 option (drift needs
            // Variants:FP32) — unless FP32 is what was asked for: then it runs as it is,
            // labelled FP32 (the configuration check warns).
            variants.TryAdd(own, model);
            if (precision == Precision.FP32)
            {
                variants.TryAdd(Precision.FP32, model);
            }
        }
        else if (ModelRef.Parse(model).Kind == ModelKind.File)
        {
            variants.TryAdd(Precision.FP32, model);
        }

        return new CanaryDefinition(
            name,
            model,
            variants,
            cuda ? CudaProvider : provider.Trim(),
            new Dictionary<string, string>(o.ProviderOptions, StringComparer.Ordinal),
            precision,
            o.BatchSizes is { } batchSizes ? [.. batchSizes] : DefaultBatchSizes(testData, model, inputs),
            o.Threads,
            o.GraphOptimization,
            new Dictionary<string, long>(o.Inputs, StringComparer.OrdinalIgnoreCase),
            new Dictionary<string, string>(o.InputFiles, StringComparer.Ordinal),
            o.Seed,
            o.Measure,
            new CanarySchedule(o.Interval ?? CanarySchedule.DefaultInterval, string.IsNullOrWhiteSpace(o.Cron) ? null : o.Cron.Trim(), o.Jitter, o.FitDutyBudget && string.IsNullOrWhiteSpace(o.Cron)),
            o.ImageInput,
            cuda ? o.Size ?? CudaModels.DefaultSize(model) : null,
            Checksums(o, model),
            o.Regression,
            o.MemoryLimitMegabytes,
            o.CustomOpLibraries.Count > 0 ? [.. o.CustomOpLibraries] : null,
            o.GpuIo,
            testData,
            new Tolerance(o.Tolerance?.Absolute ?? tolerance.Absolute, o.Tolerance?.Relative ?? tolerance.Relative));
    }

    /// <summary>The problem of a provider name that is not known.</summary>
    internal static string UnknownProvider(string provider) =>
        $"'{provider}' is not a known execution provider; use one of {string.Join(", ", ExecutionProviders.KnownNames)}, or ONNX Runtime's full name (…ExecutionProvider)";

    private static Dictionary<string, string>? Checksums(CanaryOptions o, string model)
    {
        var checksums = new Dictionary<string, string>(StringComparer.Ordinal);
        if (o.Sha256 is { } sha && string.Equals(model, o.Model, StringComparison.Ordinal))
        {
            checksums[model] = sha.Trim().ToLowerInvariant();
        }

        foreach (var (precision, value) in o.VariantsSha256)
        {
            if (o.Variants.TryGetValue(precision, out var file))
            {
                checksums[file] = value.Trim().ToLowerInvariant();
            }
        }

        return checksums.Count > 0 ? checksums : null;
    }
}
