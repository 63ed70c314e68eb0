using Microsoft.Extensions.Options;

namespace BenchDaemon.Configuration;

/// <summary>Source-generated validator for the data-annotation rules on <see cref="LogOptions"/>.</summary>
[OptionsValidator]
public sealed partial class LogOptionsValidator : IValidateOptions<LogOptions>;
