using Microsoft.Extensions.Options;

namespace BenchDaemon.Scheduling;

/// <summary>Ranges of <see cref="GuardOptions"/>.</summary>
public sealed class GuardOptionsValidator : IValidateOptions<GuardOptions>
{
    public ValidateOptionsResult Validate(string? name, GuardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string? Fraction(string key, double value) =>
            value is >= 0 and <= 1 ? null : $"{GuardOptions.SectionName}:{key}: {value} is outside 0-1 (1 disables the guard)";
        var failure = Fraction(nameof(GuardOptions.DutyFraction), options.DutyFraction)
            ?? Fraction(nameof(GuardOptions.CpuBusyThreshold), options.CpuBusyThreshold)
            ?? Fraction(nameof(GuardOptions.GpuBusyThreshold), options.GpuBusyThreshold)
            ?? (options.QueueLength is >= 1 and <= 100 ? null : $"{GuardOptions.SectionName}:{nameof(GuardOptions.QueueLength)}: {options.QueueLength} is outside 1-100");
        return failure is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failure);
    }
}
