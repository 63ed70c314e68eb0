using Microsoft.Extensions.Options;

namespace BenchDaemon.Workloads.Inputs;

/// <summary>Source-generated validator for the rules on <see cref="ImagePreprocessorOptions"/>.</summary>
[OptionsValidator]
public sealed partial class ImagePreprocessorOptionsValidator : IValidateOptions<ImagePreprocessorOptions>;
