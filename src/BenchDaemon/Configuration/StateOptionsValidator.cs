using Microsoft.Extensions.Options;

namespace BenchDaemon.Configuration;

/// <summary>Source-generated validator for <see cref="StateOptions"/>.</summary>
[OptionsValidator]
public sealed partial class StateOptionsValidator : IValidateOptions<StateOptions>;
