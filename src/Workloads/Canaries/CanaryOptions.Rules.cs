using System.ComponentModel.DataAnnotations;
using System.Globalization;
using BenchDaemon.Probes;
using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Workloads.Models.Zoo;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>The rules of a canary across its keys, named by key (<see cref="OptionsMember"/>).</summary>
public sealed partial class CanaryOptions
{
    /// <summary>
    /// Every rule that the options alone decide: names, batch sizes, providers and their options,
    /// checksums, the model family's precisions and sizes, schedule and input bounds. What needs
    /// more — the files on disk, the matrix expanded, the names of the other canaries — is
    /// <see cref="CanaryExpander.Expand"/>'s.
    /// </summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var problems = new List<ValidationResult>();
        void Fail(string member, string problem) => problems.Add(OptionsMember.Fail(validationContext, member, problem));

        // A blank name (a JSON null binds as null) is the [Required] attribute's failure.
        var name = Name ?? string.Empty;
        if (name.Any(c => char.IsControl(c) || c == '"'))
        {
            Fail(nameof(Name), "must not contain quotes or control characters");
        }

        if (name.Length > CanaryExpander.MaxNameLength)
        {
            Fail(nameof(Name), $"is {name.Length} characters; at most {CanaryExpander.MaxNameLength}");
        }

        CheckBatchSizes(Fail);
        if (string.IsNullOrWhiteSpace(Provider))
        {
            Fail(nameof(Provider), "must not be empty");
        }
        else if (!ExecutionProviders.IsKnown(Provider))
        {
            Fail(nameof(Provider), CanaryExpander.UnknownProvider(Provider));
        }

        CheckIntegrity(Fail);

        // A JSON null in a map binds as a null value: every file and option needs one.
        foreach (var (precision, _) in Variants.Where(v => string.IsNullOrWhiteSpace(v.Value)))
        {
            Fail($"{nameof(Variants)}:{precision}", "must name a model file");
        }

        foreach (var (input, _) in InputFiles.Where(v => string.IsNullOrWhiteSpace(v.Value)))
        {
            Fail($"{nameof(InputFiles)}:{input}", "must name a .npy file");
        }

        CheckTestData(Fail);
        CheckProviderOptions(Fail);
        for (var l = 0; l < CustomOpLibraries.Count; l++)
        {
            if (string.IsNullOrWhiteSpace(CustomOpLibraries[l]) || !Path.IsPathFullyQualified(CustomOpLibraries[l]))
            {
                Fail($"{nameof(CustomOpLibraries)}:{l.ToString(CultureInfo.InvariantCulture)}", $"'{CustomOpLibraries[l]}' is not an absolute path of a shared library");
            }
        }

        // The range of each is its attribute's; a cron schedule has no interval to be shorter than.
        var interval = Interval ?? CanarySchedule.DefaultInterval;
        if (Jitter >= TimeSpan.Zero && Jitter <= CanaryExpander.MaxJitter && string.IsNullOrWhiteSpace(Cron) && Jitter >= interval)
        {
            Fail(nameof(Jitter), $"{Jitter} must be shorter than the interval {interval}");
        }

        foreach (var (dimension, value) in Inputs)
        {
            var max = string.Equals(dimension, "vocab", StringComparison.OrdinalIgnoreCase) ? int.MaxValue : CanaryExpander.MaxDimension;
            if (value < 1)
            {
                Fail($"{nameof(Inputs)}:{dimension}", $"{value} must be at least 1");
            }
            else if (value > max)
            {
                Fail($"{nameof(Inputs)}:{dimension}", $"{value} is larger than {max}");
            }
        }

        CheckModels(Fail);
        return problems;
    }

    private void CheckBatchSizes(Action<string, string> fail)
    {
        var batchSizes = BatchSizes ?? [1];
        if (batchSizes.Count == 0)
        {
            fail(nameof(BatchSizes), "must list at least one batch size");
        }

        foreach (var batch in batchSizes.Where(b => b is < 1 or > CanaryExpander.MaxBatchSize))
        {
            fail(nameof(BatchSizes), $"{batch} is out of range 1-{CanaryExpander.MaxBatchSize}");
        }

        if (batchSizes.Distinct().Count() != batchSizes.Count)
        {
            fail(nameof(BatchSizes), "lists a batch size twice");
        }
    }

    private void CheckIntegrity(Action<string, string> fail)
    {
        if (Sha256 is { } sha)
        {
            if (!IsSha256(sha))
            {
                fail(nameof(Sha256), "must be 64 hexadecimal digits (sha256sum's output)");
            }
            else if (Matrix is not null || string.IsNullOrWhiteSpace(Model) || ModelRef.Parse(Model).Kind == ModelKind.Builtin)
            {
                fail(nameof(Sha256), "applies to a single .onnx Model file, not to a Matrix or a builtin: model");
            }
        }

        foreach (var (precision, value) in VariantsSha256)
        {
            if (!IsSha256(value))
            {
                fail($"{nameof(VariantsSha256)}:{precision}", "must be 64 hexadecimal digits (sha256sum's output)");
            }
            else if (!Variants.ContainsKey(precision))
            {
                fail($"{nameof(VariantsSha256)}:{precision}", $"has no file in Variants:{precision}");
            }
        }

        static bool IsSha256(string value) => value.Trim().Length == 64 && value.Trim().All(char.IsAsciiHexDigit);
    }

    // Whether the directory holds a test data set is the expander's (a file on disk).
    private void CheckTestData(Action<string, string> fail)
    {
        if (TestData is not { } directory || string.Equals(directory.Trim(), CanaryExpander.NoTestData, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(directory))
        {
            fail(nameof(TestData), $"must name a test data directory (input_0.pb…), or be '{CanaryExpander.NoTestData}'");
        }
        else if (InputFiles.Count > 0 || ImageInput is not null)
        {
            fail(nameof(TestData), "give TestData, InputFiles or ImageInput, not two of them: each decides the inputs");
        }
        else if (Matrix is { Models.Count: > 1 })
        {
            fail(nameof(TestData), "a test data set belongs to one model; a Matrix of several models finds each model's test_data_set_0 beside it");
        }
    }

    private void CheckProviderOptions(Action<string, string> fail)
    {
        foreach (var (option, _) in ProviderOptions.Where(v => v.Value is null))
        {
            fail($"{nameof(ProviderOptions)}:{option}", "has no value");
        }

        if (ProviderOptions.TryGetValue("device_id", out var deviceId) && deviceId is not null && !int.TryParse(deviceId, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            fail($"{nameof(ProviderOptions)}:device_id", $"'{deviceId}' is not a device index (0, 1, 2…)");
        }

        // Unknown CUDA/TensorRT option keys are refused here, on any host: ONNX Runtime itself
        // would say so only once the provider loads, on a GPU server.
        var providers = (Matrix?.Providers.Count ?? 0) > 0 ? Matrix!.Providers : [Provider ?? string.Empty];
        var models = Matrix?.Models ?? [Model ?? string.Empty];
        var options = ProviderOptions.Where(v => v.Value is not null).ToDictionary(StringComparer.Ordinal);
        foreach (var (option, problem) in ExecutionProviders.Validate(models.Any(CudaModels.IsCuda) ? [.. providers, CanaryExpander.CudaProvider] : providers, options))
        {
            fail($"{nameof(ProviderOptions)}:{option}", problem);
        }
    }

    // The model, or the matrix's models: given one way, built-in ones known, and what depends on
    // the model family (precisions, Size, batch, provider) right for each.
    private void CheckModels(Action<string, string> fail)
    {
        if (Matrix is null && string.IsNullOrWhiteSpace(Model))
        {
            fail(nameof(Model), "is required (a .onnx path, builtin:name or cuda:gemm|memcpy|pcie), or give a Matrix");
            return;
        }

        if (Matrix is not null && !string.IsNullOrWhiteSpace(Model))
        {
            fail(nameof(Model), "give either Model or Matrix:Models, not both");
            return;
        }

        if (Matrix is { ModelsNamed: false })
        {
            // The matrix's own rules name the missing model.
            return;
        }

        IReadOnlyList<string> models = Matrix?.Models ?? [Model!];
        foreach (var model in models.Where(m => ModelRef.Parse(m).Kind == ModelKind.Builtin))
        {
            if (ModelZoo.TryGet(ModelRef.Parse(model).Name) is null)
            {
                var known = string.Join(", ", ModelZoo.Models.Select(m => ModelRef.Builtin(m.Name).ToString()))
                    + ", and block stacks builtin:conv-w{width}-d{depth}[-s{size}] and builtin:mha-e{embedding}-d{depth}";
                fail(nameof(Model), $"'{model}' is not a built-in model; built-in models are {known}");
                return;
            }
        }

        // A file's own precision, when Precision is unset, is always one an ONNX canary takes:
        // FP32 stands for it here.
        var matrixPrecisions = Matrix is { Precisions.Count: > 0 };
        IReadOnlyList<Precision> precisions = matrixPrecisions ? Matrix!.Precisions : [Precision ?? Canaries.Precision.FP32];
        CheckFamily(fail, models, precisions, matrixPrecisions ? $"{nameof(Matrix)}:{nameof(CanaryMatrixOptions.Precisions)}" : nameof(Precision));
    }

    /// <summary>
    /// What depends on the model family: ONNX canaries take FP32/FP16/INT8 and no <c>Size</c>; CUDA
    /// micro-canaries take a known model, their own precisions, a size in range, batch 1 and the
    /// CUDA provider.
    /// </summary>
    private void CheckFamily(Action<string, string> fail, IReadOnlyList<string> models, IReadOnlyList<Precision> precisions, string precisionMember)
    {
        var onnx = models.Where(m => !CudaModels.IsCuda(m)).ToList();
        var cuda = models.Where(CudaModels.IsCuda).ToList();
        if (onnx.Count > 0)
        {
            foreach (var precision in precisions.Where(p => !CudaModels.OnnxPrecisions.Contains(p)).Distinct())
            {
                fail(precisionMember, $"{precision} is valid only for cuda:gemm; ONNX canaries take {string.Join(", ", CudaModels.OnnxPrecisions)}");
            }

            foreach (var precision in Variants.Keys.Where(p => !CudaModels.OnnxPrecisions.Contains(p)))
            {
                fail($"{nameof(Variants)}:{precision}", $"ONNX model variants exist for {string.Join(", ", CudaModels.OnnxPrecisions)} only");
            }

            if (Size is not null)
            {
                fail(nameof(Size), "applies only to CUDA micro-canaries (cuda:gemm, cuda:memcpy, cuda:pcie)");
            }
        }

        foreach (var model in cuda)
        {
            if (!CudaModels.All.Contains(model))
            {
                fail(nameof(Model), $"'{model}' is not a CUDA micro-canary; they are {string.Join(", ", CudaModels.All)}");
                continue;
            }

            if (model == CudaModels.Gemm)
            {
                foreach (var precision in precisions.Where(p => !CudaModels.GemmPrecisions.Contains(p)).Distinct())
                {
                    fail(precisionMember, $"{precision} is not a cuda:gemm precision ({string.Join(", ", CudaModels.GemmPrecisions)})");
                }

                if (Size is { } n && (n < CudaModels.MinGemmSize || n > CudaModels.MaxGemmSize || n % CudaModels.GemmSizeMultiple != 0))
                {
                    fail(nameof(Size), $"{n} is not a cuda:gemm matrix order: give a multiple of {CudaModels.GemmSizeMultiple} in {CudaModels.MinGemmSize}-{CudaModels.MaxGemmSize}");
                }
            }
            else
            {
                foreach (var precision in precisions.Where(p => p != Canaries.Precision.FP32).Distinct())
                {
                    fail(precisionMember, $"{model} copies bytes and has no precision; leave it unset (FP32), not {precision}");
                }

                if (Size is { } mib && (mib < CudaModels.MinCopyMebibytes || mib > CudaModels.MaxCopyMebibytes))
                {
                    fail(nameof(Size), $"{mib} MiB is out of range {CudaModels.MinCopyMebibytes}-{CudaModels.MaxCopyMebibytes} for {model}");
                }
            }
        }

        if (cuda.Count > 0)
        {
            if (BatchSizes is { } batches && (batches.Count != 1 || batches[0] != 1))
            {
                fail(nameof(BatchSizes), "CUDA micro-canaries run at batch 1 only; leave BatchSizes unset");
            }

            var provider = Provider?.Trim() ?? string.Empty;
            if (!ExecutionProviders.IsCpu(provider) && !CanaryExpander.IsCudaProvider(provider))
            {
                fail(nameof(Provider), $"CUDA micro-canaries run on the CUDA driver; '{provider}' is not valid (leave it unset or CUDA)");
            }

            if (Variants.Count > 0 || InputFiles.Count > 0 || ImageInput is not null)
            {
                fail(nameof(Model), "CUDA micro-canaries take no Variants, InputFiles or ImageInput");
            }
        }
    }
}
