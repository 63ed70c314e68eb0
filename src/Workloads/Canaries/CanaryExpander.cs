using System.Globalization;
using BenchDaemon.Probes;
using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Workloads.Onnx;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// Turns the <c>Canaries</c> configuration into <see cref="CanaryDefinition"/>s, expanding
/// matrices, and reports the first problem with its configuration key.
/// </summary>
public static class CanaryExpander
{
    private static readonly CanaryRegressionOptionsValidator s_regressionValidator = new();

    /// <summary>Prefix of built-in model names (<c>builtin:resnet50</c>).</summary>
    public const string BuiltinPrefix = ModelRef.BuiltinPrefix;

    /// <summary>Largest batch size accepted.</summary>
    public const int MaxBatchSize = 4096;

    /// <summary>Longest canary name (it is a label value on every canary series).</summary>
    public const int MaxNameLength = 128;

    /// <summary>Most measured or warm-up iterations a canary may ask for.</summary>
    public const int MaxIterations = 10_000_000;

    /// <summary>Longest time budget, warm-up cap or minimum duration of one run.</summary>
    public static readonly TimeSpan MaxRunTime = TimeSpan.FromHours(1);

    /// <summary>Longest schedule interval.</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromDays(31);

    /// <summary>Longest jitter.</summary>
    public static readonly TimeSpan MaxJitter = TimeSpan.FromDays(1);

    /// <summary>Largest value of a symbolic input dimension other than <c>vocab</c>.</summary>
    public const long MaxDimension = 1 << 20;

    /// <summary>
    /// Expands and validates; returns the problems as <c>(key, message)</c> pairs, empty when
    /// valid, and the warnings (a declared precision that contradicts the model file).
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
            if (string.IsNullOrWhiteSpace(o.Name))
            {
                errors.Add(($"{key}:Name", "is required"));
                continue;
            }

            if (o.Name.Any(c => char.IsControl(c) || c == '"'))
            {
                errors.Add(($"{key}:Name", "must not contain quotes or control characters"));
            }

            if (o.Name.Length > MaxNameLength)
            {
                errors.Add(($"{key}:Name", $"is {o.Name.Length} characters; at most {MaxNameLength}"));
            }

            var batchSizes = o.BatchSizes ?? [1];
            if (batchSizes.Count == 0)
            {
                errors.Add(($"{key}:BatchSizes", "must list at least one batch size"));
            }

            foreach (var batch in batchSizes.Where(b => b is < 1 or > MaxBatchSize))
            {
                errors.Add(($"{key}:BatchSizes", $"{batch} is out of range 1-{MaxBatchSize}"));
            }

            if (batchSizes.Distinct().Count() != batchSizes.Count)
            {
                errors.Add(($"{key}:BatchSizes", "lists a batch size twice"));
            }

            if (o.Threads is < 0 or > 1024)
            {
                errors.Add(($"{key}:Threads", $"{o.Threads} is out of range 0-1024 (0 = ONNX Runtime's default)"));
            }

            if (string.IsNullOrWhiteSpace(o.Provider))
            {
                errors.Add(($"{key}:Provider", "must not be empty"));
            }
            else if (!ExecutionProviders.IsKnown(o.Provider))
            {
                errors.Add(($"{key}:Provider", UnknownProvider(o.Provider)));
            }

            var matrixBroken = false;
            for (var p = 0; p < (o.Matrix?.Providers.Count ?? 0); p++)
            {
                var provider = o.Matrix!.Providers[p];
                if (string.IsNullOrWhiteSpace(provider) || !ExecutionProviders.IsKnown(provider))
                {
                    errors.Add(($"{key}:Matrix:Providers:{p.ToString(CultureInfo.InvariantCulture)}", string.IsNullOrWhiteSpace(provider) ? "must not be empty" : UnknownProvider(provider)));
                    matrixBroken = true;
                }
            }

            for (var m = 0; m < (o.Matrix?.Models.Count ?? 0); m++)
            {
                if (string.IsNullOrWhiteSpace(o.Matrix!.Models[m]))
                {
                    errors.Add(($"{key}:Matrix:Models:{m.ToString(CultureInfo.InvariantCulture)}", "must not be empty"));
                    matrixBroken = true;
                }
            }

            ValidateIntegrity(key, o, errors);

            // A JSON null in a map binds as a null value: every file and option needs one.
            foreach (var (precision, _) in o.Variants.Where(v => string.IsNullOrWhiteSpace(v.Value)))
            {
                errors.Add(($"{key}:Variants:{precision}", "must name a model file"));
            }

            foreach (var (input, _) in o.InputFiles.Where(v => string.IsNullOrWhiteSpace(v.Value)))
            {
                errors.Add(($"{key}:InputFiles:{input}", "must name a .npy file"));
            }

            ValidateTestData(key, o, errors);

            foreach (var (option, _) in o.ProviderOptions.Where(v => v.Value is null))
            {
                errors.Add(($"{key}:ProviderOptions:{option}", "has no value"));
            }

            if (o.ProviderOptions.TryGetValue("device_id", out var deviceId) && !int.TryParse(deviceId, System.Globalization.NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                errors.Add(($"{key}:ProviderOptions:device_id", $"'{deviceId}' is not a device index (0, 1, 2…)"));
            }

            // Unknown CUDA/TensorRT option keys are refused here, on any host: ONNX Runtime itself
            // would say so only once the provider loads, on a GPU server.
            var blockProviders = (o.Matrix?.Providers.Count ?? 0) > 0 ? o.Matrix!.Providers : [o.Provider];
            var models = o.Matrix?.Models ?? [o.Model ?? string.Empty];
            foreach (var (option, problem) in ExecutionProviders.Validate(models.Any(CudaModels.IsCuda) ? [.. blockProviders, CudaProvider] : blockProviders, o.ProviderOptions.Where(v => v.Value is not null).ToDictionary(StringComparer.Ordinal)))
            {
                errors.Add(($"{key}:ProviderOptions:{option}", problem));
            }

            ValidateMeasure($"{key}:Measure", o.Measure, errors);
            if (o.MemoryLimitMegabytes is { } limit && (limit < MinMemoryLimitMegabytes || limit > MaxMemoryLimitMegabytes))
            {
                errors.Add(($"{key}:MemoryLimitMegabytes", string.Create(CultureInfo.InvariantCulture, $"{limit} is out of range {MinMemoryLimitMegabytes}-{MaxMemoryLimitMegabytes}")));
            }

            for (var l = 0; l < o.CustomOpLibraries.Count; l++)
            {
                if (string.IsNullOrWhiteSpace(o.CustomOpLibraries[l]) || !Path.IsPathFullyQualified(o.CustomOpLibraries[l]))
                {
                    errors.Add(($"{key}:CustomOpLibraries:{l.ToString(CultureInfo.InvariantCulture)}", $"'{o.CustomOpLibraries[l]}' is not an absolute path of a shared library"));
                }
            }

            if (o.Regression is not null && s_regressionValidator.Validate($"{key}:Regression", o.Regression) is { Failed: true } regression)
            {
                errors.AddRange(regression.Failures.Select(f => OptionsMember.Split(f, $"{key}:Regression")));
            }

            if (o.Interval is { } interval && interval < CanarySchedule.MinimumInterval)
            {
                errors.Add(($"{key}:Interval", $"{interval} is shorter than the minimum {CanarySchedule.MinimumInterval}"));
            }
            else if (o.Interval is { } longInterval && longInterval > MaxInterval)
            {
                errors.Add(($"{key}:Interval", $"{longInterval} is longer than the maximum {MaxInterval}"));
            }

            if (o.Jitter < TimeSpan.Zero)
            {
                errors.Add(($"{key}:Jitter", "must not be negative"));
            }
            else if (o.Jitter > MaxJitter || (string.IsNullOrWhiteSpace(o.Cron) && o.Jitter >= (o.Interval ?? CanarySchedule.DefaultInterval)))
            {
                errors.Add(($"{key}:Jitter", $"{o.Jitter} must be shorter than the interval and at most {MaxJitter}"));
            }

            foreach (var (name, value) in o.Inputs.Where(p => p.Value < 1))
            {
                errors.Add(($"{key}:Inputs:{name}", $"{value} must be at least 1"));
            }

            foreach (var (name, value) in o.Inputs.Where(p => p.Value > (string.Equals(p.Key, "vocab", StringComparison.OrdinalIgnoreCase) ? int.MaxValue : MaxDimension)))
            {
                errors.Add(($"{key}:Inputs:{name}", $"{value} is larger than {(string.Equals(name, "vocab", StringComparison.OrdinalIgnoreCase) ? int.MaxValue : MaxDimension)}"));
            }

            if (o.Matrix is null)
            {
                if (string.IsNullOrWhiteSpace(o.Model))
                {
                    errors.Add(($"{key}:Model", "is required (a .onnx path, builtin:name or cuda:gemm|memcpy|pcie), or give a Matrix"));
                    continue;
                }

                // One pass over a model file: its inputs for the batch check, its precision for the default.
                var graph = ModelRef.Parse(o.Model).Kind == ModelKind.File ? OnnxModelPrecision.TryReadGraph(o.Model) : null;
                if (graph is { } read && o.BatchSizes is { Count: > 0 } configured && FixedShapeProblem(o.Model, read.Inputs, configured) is { } problem)
                {
                    errors.Add(($"{key}:BatchSizes", problem));
                    continue;
                }

                var filePrecision = graph?.Precision;
                var precision = o.Precision ?? filePrecision ?? Precision.FP32;
                if (!CheckPrecisions(key, o, [o.Model], [precision], $"{key}:Precision", errors))
                {
                    continue;
                }

                if (TryDefinition($"{key}:TestData", errors, () => Definition(o, o.Name, o.Model, o.Provider, precision, filePrecision, graph?.Inputs)) is { } canary)
                {
                    if (o.Precision is { } declared && filePrecision is { } own && PrecisionMismatch(canary, declared, own) is { } mismatch)
                    {
                        warnings.Add(($"{key}:Precision", mismatch));
                    }

                    canaries.Add(canary);
                }

                continue;
            }

            if (!string.IsNullOrWhiteSpace(o.Model))
            {
                errors.Add(($"{key}:Model", "give either Model or Matrix:Models, not both"));
                continue;
            }

            if (matrixBroken)
            {
                continue;
            }

            if (o.Matrix.Models.Count == 0)
            {
                errors.Add(($"{key}:Matrix:Models", "must list at least one model"));
                continue;
            }

            var providers = o.Matrix.Providers.Count > 0 ? o.Matrix.Providers : [o.Provider];
            var precisions = o.Matrix.Precisions.Count > 0 ? o.Matrix.Precisions : [o.Precision ?? Precision.FP32];
            if (!CheckPrecisions(key, o, o.Matrix.Models, precisions, o.Matrix.Precisions.Count > 0 ? $"{key}:Matrix:Precisions" : $"{key}:Precision", errors))
            {
                continue;
            }

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

    /// <summary>
    /// Checks what depends on the model family: ONNX canaries take FP32/FP16/INT8 and no
    /// <c>Size</c>; CUDA micro-canaries take a known model, their own precisions, a size in
    /// range, batch 1 and the CUDA provider. False when the entry must not be expanded.
    /// </summary>
    private static bool CheckPrecisions(string key, CanaryOptions o, IReadOnlyList<string> models, IReadOnlyList<Precision> precisions, string precisionKey, List<(string, string)> errors)
    {
        var before = errors.Count;
        var onnx = models.Where(m => !CudaModels.IsCuda(m)).ToList();
        var cuda = models.Where(CudaModels.IsCuda).ToList();
        if (onnx.Count > 0)
        {
            foreach (var precision in precisions.Where(p => !CudaModels.OnnxPrecisions.Contains(p)).Distinct())
            {
                errors.Add((precisionKey, $"{precision} is valid only for cuda:gemm; ONNX canaries take {string.Join(", ", CudaModels.OnnxPrecisions)}"));
            }

            foreach (var precision in o.Variants.Keys.Where(p => !CudaModels.OnnxPrecisions.Contains(p)))
            {
                errors.Add(($"{key}:Variants:{precision}", $"ONNX model variants exist for {string.Join(", ", CudaModels.OnnxPrecisions)} only"));
            }

            if (o.Size is not null)
            {
                errors.Add(($"{key}:Size", "applies only to CUDA micro-canaries (cuda:gemm, cuda:memcpy, cuda:pcie)"));
            }
        }

        foreach (var model in cuda)
        {
            if (!CudaModels.All.Contains(model))
            {
                errors.Add(($"{key}:Model", $"'{model}' is not a CUDA micro-canary; they are {string.Join(", ", CudaModels.All)}"));
                continue;
            }

            if (model == CudaModels.Gemm)
            {
                foreach (var precision in precisions.Where(p => !CudaModels.GemmPrecisions.Contains(p)).Distinct())
                {
                    errors.Add((precisionKey, $"{precision} is not a cuda:gemm precision ({string.Join(", ", CudaModels.GemmPrecisions)})"));
                }

                if (o.Size is { } n && (n < CudaModels.MinGemmSize || n > CudaModels.MaxGemmSize || n % CudaModels.GemmSizeMultiple != 0))
                {
                    errors.Add(($"{key}:Size", $"{n} is not a cuda:gemm matrix order: give a multiple of {CudaModels.GemmSizeMultiple} in {CudaModels.MinGemmSize}-{CudaModels.MaxGemmSize}"));
                }
            }
            else
            {
                foreach (var precision in precisions.Where(p => p != Precision.FP32).Distinct())
                {
                    errors.Add((precisionKey, $"{model} copies bytes and has no precision; leave it unset (FP32), not {precision}"));
                }

                if (o.Size is { } mib && (mib < CudaModels.MinCopyMebibytes || mib > CudaModels.MaxCopyMebibytes))
                {
                    errors.Add(($"{key}:Size", $"{mib} MiB is out of range {CudaModels.MinCopyMebibytes}-{CudaModels.MaxCopyMebibytes} for {model}"));
                }
            }
        }

        if (cuda.Count > 0)
        {
            if (o.BatchSizes is { } batches && (batches.Count != 1 || batches[0] != 1))
            {
                errors.Add(($"{key}:BatchSizes", "CUDA micro-canaries run at batch 1 only; leave BatchSizes unset"));
            }

            var provider = o.Provider.Trim();
            if (!ExecutionProviders.IsCpu(provider) && !IsCudaProvider(provider))
            {
                errors.Add(($"{key}:Provider", $"CUDA micro-canaries run on the CUDA driver; '{provider}' is not valid (leave it unset or CUDA)"));
            }

            if (o.Variants.Count > 0 || o.InputFiles.Count > 0 || o.ImageInput is not null)
            {
                errors.Add(($"{key}:Model", "CUDA micro-canaries take no Variants, InputFiles or ImageInput"));
            }
        }

        return errors.Count == before;
    }

    /// <summary>Smallest per-canary worker memory limit, MiB (the worker itself needs some).</summary>
    public const int MinMemoryLimitMegabytes = 64;

    /// <summary>Largest per-canary worker memory limit, MiB (1 TiB).</summary>
    public const int MaxMemoryLimitMegabytes = 1_048_576;

    /// <summary>The provider label of CUDA micro-canaries.</summary>
    public const string CudaProvider = "CUDA";

    private static bool IsCudaProvider(string provider) =>
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

    private static void ValidateTestData(string key, CanaryOptions o, List<(string, string)> errors)
    {
        if (o.Tolerance is { } tolerance)
        {
            if (tolerance.Absolute is { } absolute && !(double.IsFinite(absolute) && absolute >= 0))
            {
                errors.Add(($"{key}:Tolerance:Absolute", $"{absolute.ToString(CultureInfo.InvariantCulture)} must be zero or more"));
            }

            if (tolerance.Relative is { } relative && !(double.IsFinite(relative) && relative >= 0))
            {
                errors.Add(($"{key}:Tolerance:Relative", $"{relative.ToString(CultureInfo.InvariantCulture)} must be zero or more"));
            }
        }

        if (o.TestData is not { } directory || string.Equals(directory.Trim(), NoTestData, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(directory))
        {
            errors.Add(($"{key}:TestData", $"must name a test data directory (input_0.pb…), or be '{NoTestData}'"));
        }
        else if (o.InputFiles.Count > 0 || o.ImageInput is not null)
        {
            errors.Add(($"{key}:TestData", "give TestData, InputFiles or ImageInput, not two of them: each decides the inputs"));
        }
        else if (o.Matrix is { Models.Count: > 1 })
        {
            errors.Add(($"{key}:TestData", "a test data set belongs to one model; a Matrix of several models finds each model's test_data_set_0 beside it"));
        }
        else if (!Directory.Exists(directory))
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
        // A configured set that is not one is said by ValidateTestData.
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

    private static void ValidateMeasure(string key, MeasureOptions m, List<(string, string)> errors)
    {
        if (m.MinIterations < 1)
        {
            errors.Add(($"{key}:MinIterations", "must be at least 1"));
        }
        else if (m.MinIterations > MaxIterations)
        {
            errors.Add(($"{key}:MinIterations", $"{m.MinIterations} is more than {MaxIterations}"));
        }

        if (m.MinDuration < TimeSpan.Zero)
        {
            errors.Add(($"{key}:MinDuration", "must not be negative"));
        }

        if (m.Budget <= TimeSpan.Zero)
        {
            errors.Add(($"{key}:Budget", "must be positive"));
        }
        else if (m.Budget > MaxRunTime)
        {
            errors.Add(($"{key}:Budget", $"{m.Budget} is longer than the maximum {MaxRunTime}"));
        }
        else if (m.MinDuration > m.Budget)
        {
            errors.Add(($"{key}:MinDuration", $"{m.MinDuration} is longer than the budget {m.Budget}"));
        }

        if (m.WarmupMinIterations < 0 || m.WarmupMaxIterations < Math.Max(1, m.WarmupMinIterations))
        {
            errors.Add(($"{key}:WarmupMaxIterations", "must be at least 1 and at least WarmupMinIterations"));
        }
        else if (m.WarmupMaxIterations > MaxIterations)
        {
            errors.Add(($"{key}:WarmupMaxIterations", $"{m.WarmupMaxIterations} is more than {MaxIterations}"));
        }

        if (m.WarmupMaxDuration < TimeSpan.Zero || m.WarmupMaxDuration > MaxRunTime)
        {
            errors.Add(($"{key}:WarmupMaxDuration", $"{m.WarmupMaxDuration} is outside 00:00:00-{MaxRunTime}"));
        }

        // Written as "not inside" so that NaN, which every comparison rejects, is caught too.
        if (!(m.WarmupTolerance > 0 && m.WarmupTolerance <= 1))
        {
            errors.Add(($"{key}:WarmupTolerance", "must be in (0, 1]"));
        }

        if (!(m.MaxCoefficientOfVariation >= 0 && double.IsFinite(m.MaxCoefficientOfVariation)))
        {
            errors.Add(($"{key}:MaxCoefficientOfVariation", "must be a finite number, not negative"));
        }

        if (m.MaxDuration is { } max && (max < m.MinDuration || max > MaxRunTime))
        {
            errors.Add(($"{key}:MaxDuration", $"{max} is outside MinDuration {m.MinDuration}-{MaxRunTime}"));
        }

        if (!(m.MedianPrecision > 0 && m.MedianPrecision <= 1))
        {
            errors.Add(($"{key}:MedianPrecision", "must be in (0, 1]"));
        }

        if (!(m.WindowAgreement > 0 && m.WindowAgreement <= 10))
        {
            errors.Add(($"{key}:WindowAgreement", "must be in (0, 10]"));
        }

        if (!(m.TailConfidence >= 0.5 && m.TailConfidence <= 0.9999))
        {
            errors.Add(($"{key}:TailConfidence", "must be in [0.5, 0.9999]"));
        }
    }

    private static string UnknownProvider(string provider) =>
        $"'{provider}' is not a known execution provider; use one of {string.Join(", ", ExecutionProviders.KnownNames)}, or ONNX Runtime's full name (…ExecutionProvider)";

    private static void ValidateIntegrity(string key, CanaryOptions o, List<(string, string)> errors)
    {
        if (o.Sha256 is { } sha)
        {
            if (!IsSha256(sha))
            {
                errors.Add(($"{key}:Sha256", "must be 64 hexadecimal digits (sha256sum's output)"));
            }
            else if (o.Matrix is not null || string.IsNullOrWhiteSpace(o.Model) || ModelRef.Parse(o.Model).Kind == ModelKind.Builtin)
            {
                errors.Add(($"{key}:Sha256", "applies to a single .onnx Model file, not to a Matrix or a builtin: model"));
            }
        }

        foreach (var (precision, value) in o.VariantsSha256)
        {
            if (!IsSha256(value))
            {
                errors.Add(($"{key}:VariantsSha256:{precision}", "must be 64 hexadecimal digits (sha256sum's output)"));
            }
            else if (!o.Variants.ContainsKey(precision))
            {
                errors.Add(($"{key}:VariantsSha256:{precision}", $"has no file in Variants:{precision}"));
            }
        }
    }

    private static bool IsSha256(string value) => value.Trim().Length == 64 && value.Trim().All(char.IsAsciiHexDigit);

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
