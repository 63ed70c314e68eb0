using Microsoft.Extensions.Options;

namespace BenchDaemon.Configuration;

/// <summary>Source-generated validator for <see cref="MetricsOptions"/>: its ranges and its own rules.</summary>
[OptionsValidator]
public sealed partial class MetricsOptionsValidator : IValidateOptions<MetricsOptions>;
