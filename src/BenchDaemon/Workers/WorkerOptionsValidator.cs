using Microsoft.Extensions.Options;

namespace BenchDaemon.Workers;

/// <summary>Ranges of <see cref="WorkerOptions"/> (source-generated from its attributes).</summary>
[OptionsValidator]
public sealed partial class WorkerOptionsValidator : IValidateOptions<WorkerOptions>;
