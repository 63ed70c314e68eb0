using Microsoft.Extensions.Options;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>Source-generated validator for <see cref="MeasureOptions"/>: its attributes and its own rules.</summary>
[OptionsValidator]
public sealed partial class MeasureOptionsValidator : IValidateOptions<MeasureOptions>;
