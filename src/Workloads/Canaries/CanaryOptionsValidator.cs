using Microsoft.Extensions.Options;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>Source-generated validator for <see cref="CanaryOptions"/>: its attributes and its own rules.</summary>
[OptionsValidator]
public sealed partial class CanaryOptionsValidator : IValidateOptions<CanaryOptions>;
