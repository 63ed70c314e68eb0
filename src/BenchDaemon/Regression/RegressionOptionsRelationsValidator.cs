using BenchDaemon.Workloads.Canaries;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Regression;

/// <summary>Checks what attributes cannot: metric names, effect ranges, baseline within its window, persistence within the evidence window.</summary>
public sealed class RegressionOptionsRelationsValidator : IValidateOptions<RegressionOptions>
{
    public ValidateOptionsResult Validate(string? name, RegressionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MinimumBaseline > options.BaselineWindow)
        {
            return ValidateOptionsResult.Fail($"{RegressionOptions.SectionName}:{nameof(RegressionOptions.MinimumBaseline)}: {options.MinimumBaseline} is larger than {nameof(RegressionOptions.BaselineWindow)} {options.BaselineWindow}");
        }

        if (options.PersistRuns > options.EvidenceWindow)
        {
            return ValidateOptionsResult.Fail($"{RegressionOptions.SectionName}:{nameof(RegressionOptions.PersistRuns)}: {options.PersistRuns} is larger than {nameof(RegressionOptions.EvidenceWindow)} {options.EvidenceWindow}");
        }

        var overrides = new CanaryRegressionOptions { MinimumEffects = options.MinimumEffects };
        foreach (var (key, problem) in overrides.Validate(RegressionOptions.SectionName))
        {
            return ValidateOptionsResult.Fail($"{key}: {problem}");
        }

        return ValidateOptionsResult.Success;
    }
}
