using Microsoft.Extensions.Options;

namespace BenchDaemon.Probes.Nvml;

/// <summary>Checks the <c>Probes:Gpu</c> subsection; messages start with the full key.</summary>
public sealed class GpuProbeOptionsValidator : IValidateOptions<ProbeOptions>
{
    public ValidateOptionsResult Validate(string? name, ProbeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var gpu = options.Gpu;
        if (gpu is null)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        CheckRange(failures, nameof(GpuProbeOptions.EnergyInterval), gpu.EnergyInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), "00:00:01", "01:00:00");
        CheckRange(failures, nameof(GpuProbeOptions.PcieInterval), gpu.PcieInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), "00:00:01", "01:00:00");
        CheckRange(failures, nameof(GpuProbeOptions.GpmInterval), gpu.GpmInterval, TimeSpan.FromMilliseconds(200), TimeSpan.FromHours(1), "00:00:00.200", "01:00:00");
        CheckRange(failures, nameof(GpuProbeOptions.RetryInitial), gpu.RetryInitial, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1), "00:00:01", "01:00:00");
        CheckRange(failures, nameof(GpuProbeOptions.RetryMax), gpu.RetryMax, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), "00:00:01", "1.00:00:00");
        if (failures.Count == 0 && gpu.RetryMax < gpu.RetryInitial)
        {
            failures.Add($"{GpuProbeOptions.SectionPath}:{nameof(GpuProbeOptions.RetryMax)}: must not be shorter than {GpuProbeOptions.SectionPath}:{nameof(GpuProbeOptions.RetryInitial)} ({gpu.RetryInitial})");
        }

        if (gpu.ProcessLimit is < 1 or > 1024)
        {
            failures.Add($"{GpuProbeOptions.SectionPath}:{nameof(GpuProbeOptions.ProcessLimit)}: must be between 1 and 1024, got {gpu.ProcessLimit}");
        }

        if (gpu.LibraryPath is { Length: > 0 } path && path.Trim().Length == 0)
        {
            failures.Add($"{GpuProbeOptions.SectionPath}:{nameof(GpuProbeOptions.LibraryPath)}: must not be blank");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckRange(List<string> failures, string key, TimeSpan value, TimeSpan min, TimeSpan max, string minText, string maxText)
    {
        if (value < min || value > max)
        {
            failures.Add($"{GpuProbeOptions.SectionPath}:{key}: must be between {minText} and {maxText} (a TimeSpan such as \"00:00:10\"), got {value}");
        }
    }
}
