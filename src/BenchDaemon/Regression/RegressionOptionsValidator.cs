using Microsoft.Extensions.Options;

namespace BenchDaemon.Regression;

/// <summary>Ranges of <see cref="RegressionOptions"/>, plus the metric names and the window relations.</summary>
[OptionsValidator]
public sealed partial class RegressionOptionsValidator : IValidateOptions<RegressionOptions>;
