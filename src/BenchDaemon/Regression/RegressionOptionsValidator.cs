using Microsoft.Extensions.Options;

namespace BenchDaemon.Regression;

/// <summary>Ranges of <see cref="RegressionOptions"/>, plus its own rules: the metric names and the window relations.</summary>
[OptionsValidator]
public sealed partial class RegressionOptionsValidator : IValidateOptions<RegressionOptions>;
