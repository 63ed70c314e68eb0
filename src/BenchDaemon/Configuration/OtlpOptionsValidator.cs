using Microsoft.Extensions.Options;

namespace BenchDaemon.Configuration;

/// <summary>Data-annotation rules of <see cref="OtlpOptions"/> (source generated) plus the endpoint scheme.</summary>
[OptionsValidator]
public sealed partial class OtlpOptionsValidator : IValidateOptions<OtlpOptions>;
