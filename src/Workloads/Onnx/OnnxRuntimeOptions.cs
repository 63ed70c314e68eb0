using System.ComponentModel.DataAnnotations;
using BenchDaemon.Probes;

namespace BenchDaemon.Workloads.Onnx;

/// <summary>Which ONNX Runtime native library to load (section <c>OnnxRuntime</c>).</summary>
public sealed class OnnxRuntimeOptions : IValidatableObject
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "OnnxRuntime";

    /// <summary>
    /// Path of a <c>libonnxruntime.so</c> to use instead of the bundled CPU build, for example a
    /// GPU build with the CUDA and TensorRT providers. Empty: the bundled library.
    /// </summary>
    public string? LibraryPath { get; set; }

    /// <summary>A library path, when given, names a file that exists.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(LibraryPath) && !File.Exists(LibraryPath))
        {
            yield return OptionsMember.Fail(validationContext, nameof(LibraryPath), $"'{LibraryPath}' does not exist");
        }
    }
}
