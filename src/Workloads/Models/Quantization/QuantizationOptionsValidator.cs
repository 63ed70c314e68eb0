using Microsoft.Extensions.Options;

namespace BenchDaemon.Workloads.Models.Quantization;

/// <summary>Source-generated validator for the rules on <see cref="QuantizationOptions"/>.</summary>
[OptionsValidator]
public sealed partial class QuantizationOptionsValidator : IValidateOptions<QuantizationOptions>;
