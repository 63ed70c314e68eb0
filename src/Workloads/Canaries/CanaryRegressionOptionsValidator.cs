using Microsoft.Extensions.Options;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>Source-generated validator for <see cref="CanaryRegressionOptions"/>.</summary>
[OptionsValidator]
public sealed partial class CanaryRegressionOptionsValidator : IValidateOptions<CanaryRegressionOptions>;
