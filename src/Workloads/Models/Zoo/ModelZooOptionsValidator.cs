using Microsoft.Extensions.Options;

namespace BenchDaemon.Workloads.Models.Zoo;

/// <summary>Source-generated validator for the rules on <see cref="ModelZooOptions"/>.</summary>
[OptionsValidator]
public sealed partial class ModelZooOptionsValidator : IValidateOptions<ModelZooOptions>;
