using Microsoft.Extensions.Options;

namespace BenchDaemon.Configuration;

/// <summary>Data-annotation rules of <see cref="OtlpOptions"/> (source generated) plus its own rules (endpoint, headers).</summary>
[OptionsValidator]
public sealed partial class OtlpOptionsValidator : IValidateOptions<OtlpOptions>;
