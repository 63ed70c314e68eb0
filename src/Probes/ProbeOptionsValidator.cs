using Microsoft.Extensions.Options;

namespace BenchDaemon.Probes;

/// <summary>Source-generated validator for the data-annotation rules on <see cref="ProbeOptions"/>.</summary>
[OptionsValidator]
public sealed partial class ProbeOptionsValidator : IValidateOptions<ProbeOptions>;
