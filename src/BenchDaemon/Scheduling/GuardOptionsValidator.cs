using Microsoft.Extensions.Options;

namespace BenchDaemon.Scheduling;

/// <summary>Ranges of <see cref="GuardOptions"/> (source-generated from its attributes).</summary>
[OptionsValidator]
public sealed partial class GuardOptionsValidator : IValidateOptions<GuardOptions>;
