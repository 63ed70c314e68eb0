using Microsoft.Extensions.Options;

namespace BenchDaemon.Configuration;

/// <summary>Checks that <see cref="MetricsOptions.Listen"/> is a usable <c>host:port</c>.</summary>
public sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!ListenAddress.TryParse(options.Listen, out _, out var error))
        {
            return ValidateOptionsResult.Fail($"{MetricsOptions.SectionName}:{nameof(MetricsOptions.Listen)}: {error}");
        }

        if (options.CacheDuration < TimeSpan.Zero || options.CacheDuration > TimeSpan.FromMinutes(1))
        {
            return ValidateOptionsResult.Fail($"{MetricsOptions.SectionName}:{nameof(MetricsOptions.CacheDuration)}: {options.CacheDuration} is outside 00:00:00-00:01:00");
        }

        if (options.LatencyBucketsPerDecade is < 1 or > 24)
        {
            return ValidateOptionsResult.Fail($"{MetricsOptions.SectionName}:{nameof(MetricsOptions.LatencyBucketsPerDecade)}: {options.LatencyBucketsPerDecade} is outside 1-24 (3 is the default; 24 places bounds 10 % apart)");
        }

        if (options.LatencyBucketMin < TimeSpan.FromTicks(10) || options.LatencyBucketMax > TimeSpan.FromHours(1) || options.LatencyBucketMin >= options.LatencyBucketMax)
        {
            return ValidateOptionsResult.Fail(
                $"{MetricsOptions.SectionName}:{nameof(MetricsOptions.LatencyBucketMin)} and {nameof(MetricsOptions.LatencyBucketMax)}: {options.LatencyBucketMin} to {options.LatencyBucketMax} is not a range within 00:00:00.000001-01:00:00 with the minimum below the maximum");
        }

        if (!string.IsNullOrWhiteSpace(options.WebConfigFile))
        {
            try
            {
                Security.WebConfigLoader.Check(options.WebConfigFile);
            }
            catch (ConfigurationException ex)
            {
                return ValidateOptionsResult.Fail(ex.Message);
            }
        }

        return ValidateOptionsResult.Success;
    }
}
