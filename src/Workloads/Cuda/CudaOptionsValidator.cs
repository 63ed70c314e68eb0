using Microsoft.Extensions.Options;

namespace BenchDaemon.Workloads.Cuda;

/// <summary>Source-generated validator for <see cref="CudaOptions"/>.</summary>
[OptionsValidator]
public sealed partial class CudaOptionsValidator : IValidateOptions<CudaOptions>;
