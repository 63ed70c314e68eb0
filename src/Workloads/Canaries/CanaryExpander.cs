using System.Globalization;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// Turns the <c>Canaries</c> configuration into <see cref="CanaryDefinition"/>s, expanding
/// matrices, and reports the first problem with its configuration key.
/// </summary>
public static class CanaryExpander
{
    /// <summary>Prefix of built-in model names (<c>builtin:resnet50</c>).</summary>
    public const string BuiltinPrefix = "builtin:";

    /// <summary>Largest batch size accepted.</summary>
    public const int MaxBatchSize = 4096;

    /// <summary>Expands and validates; returns the problems as <c>(key, message)</c> pairs, empty when valid.</summary>
    public static (IReadOnlyList<CanaryDefinition> Canaries, IReadOnlyList<(string Key, string Problem)> Errors) Expand(IReadOnlyList<CanaryOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var canaries = new List<CanaryDefinition>();
        var errors = new List<(string, string)>();
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

            if (o.ProviderOptions.TryGetValue("device_id", out var deviceId) && !int.TryParse(deviceId, System.Globalization.NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                errors.Add(($"{key}:ProviderOptions:device_id", $"'{deviceId}' is not a device index (0, 1, 2…)"));
            }

            ValidateMeasure($"{key}:Measure", o.Measure, errors);
            if (o.Regression is not null)
            {
                errors.AddRange(o.Regression.Validate($"{key}:Regression"));
            }

            if (o.Interval is { } interval && interval < CanarySchedule.MinimumInterval)
            {
                errors.Add(($"{key}:Interval", $"{interval} is shorter than the minimum {CanarySchedule.MinimumInterval}"));
            }

            if (o.Jitter < TimeSpan.Zero)
            {
                errors.Add(($"{key}:Jitter", "must not be negative"));
            }
            foreach (var (name, value) in o.Inputs.Where(p => p.Value < 1))
            {
                errors.Add(($"{key}:Inputs:{name}", $"{value} must be at least 1"));
            }

            if (o.Matrix is null)
            {
                if (string.IsNullOrWhiteSpace(o.Model))
                {
                    errors.Add(($"{key}:Model", "is required (a .onnx path or builtin:name), or give a Matrix"));
                    continue;
                }

                canaries.Add(Definition(o, o.Name, o.Model, o.Provider, o.Precision));
                continue;
            }

            if (!string.IsNullOrWhiteSpace(o.Model))
            {
                errors.Add(($"{key}:Model", "give either Model or Matrix:Models, not both"));
                continue;
            }

            if (o.Matrix.Models.Count == 0)
            {
                errors.Add(($"{key}:Matrix:Models", "must list at least one model"));
                continue;
            }

            var providers = o.Matrix.Providers.Count > 0 ? o.Matrix.Providers : [o.Provider];
            var precisions = o.Matrix.Precisions.Count > 0 ? o.Matrix.Precisions : [o.Precision];
            foreach (var model in o.Matrix.Models)
            {
                foreach (var provider in providers)
                {
                    foreach (var precision in precisions)
                    {
                        var label = model.StartsWith(BuiltinPrefix, StringComparison.Ordinal) ? model[BuiltinPrefix.Length..] : Path.GetFileNameWithoutExtension(model);
                        var name = string.Join('-', o.Name, label, provider.ToLowerInvariant(), precision.ToString().ToLowerInvariant());
                        canaries.Add(Definition(o, name, model, provider, precision));
                    }
                }
            }
        }

        foreach (var duplicate in canaries.GroupBy(c => c.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add((CanaryOptions.SectionName, $"canary name '{duplicate.Key}' is used {duplicate.Count()} times; names must be unique"));
        }

        return (canaries, errors);
    }

    private static CanaryDefinition Definition(CanaryOptions o, string name, string model, string provider, Precision precision)
    {
        var variants = new Dictionary<Precision, string>(o.Variants);
        if (!model.StartsWith(BuiltinPrefix, StringComparison.Ordinal))
        {
            variants.TryAdd(Precision.FP32, model);
        }

        return new CanaryDefinition(
            name,
            model,
            variants,
            provider.Trim(),
            new Dictionary<string, string>(o.ProviderOptions, StringComparer.Ordinal),
            precision,
            [.. o.BatchSizes ?? [1]],
            o.Threads,
            o.GraphOptimization,
            new Dictionary<string, long>(o.Inputs, StringComparer.OrdinalIgnoreCase),
            new Dictionary<string, string>(o.InputFiles, StringComparer.Ordinal),
            o.Seed,
            o.Measure,
            new CanarySchedule(o.Interval ?? CanarySchedule.DefaultInterval, string.IsNullOrWhiteSpace(o.Cron) ? null : o.Cron.Trim(), o.Jitter),
            o.ImageInput,
            o.Regression);
    }

    private static void ValidateMeasure(string key, MeasureOptions m, List<(string, string)> errors)
    {
        if (m.MinIterations < 1)
        {
            errors.Add(($"{key}:MinIterations", "must be at least 1"));
        }

        if (m.MinDuration < TimeSpan.Zero)
        {
            errors.Add(($"{key}:MinDuration", "must not be negative"));
        }

        if (m.Budget <= TimeSpan.Zero)
        {
            errors.Add(($"{key}:Budget", "must be positive"));
        }
        else if (m.MinDuration > m.Budget)
        {
            errors.Add(($"{key}:MinDuration", $"{m.MinDuration} is longer than the budget {m.Budget}"));
        }

        if (m.WarmupMinIterations < 0 || m.WarmupMaxIterations < Math.Max(1, m.WarmupMinIterations))
        {
            errors.Add(($"{key}:WarmupMaxIterations", "must be at least 1 and at least WarmupMinIterations"));
        }

        if (m.WarmupMaxDuration < TimeSpan.Zero)
        {
            errors.Add(($"{key}:WarmupMaxDuration", "must not be negative"));
        }

        if (m.WarmupTolerance is <= 0 or > 1)
        {
            errors.Add(($"{key}:WarmupTolerance", "must be in (0, 1]"));
        }

        if (m.MaxCoefficientOfVariation < 0)
        {
            errors.Add(($"{key}:MaxCoefficientOfVariation", "must not be negative"));
        }
    }
}
