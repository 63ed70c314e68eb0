using Microsoft.Extensions.Options;

namespace BenchDaemon.Workloads.Onnx;

/// <summary>Source-generated validator for <see cref="OnnxRuntimeOptions"/>.</summary>
[OptionsValidator]
public sealed partial class OnnxRuntimeOptionsValidator : IValidateOptions<OnnxRuntimeOptions>;
