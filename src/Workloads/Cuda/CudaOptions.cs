using System.ComponentModel.DataAnnotations;
using BenchDaemon.Probes;

namespace BenchDaemon.Workloads.Cuda;

/// <summary>Where the CUDA micro-canaries find their native libraries (section <c>Cuda</c>).</summary>
public sealed class CudaOptions : IValidatableObject
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Cuda";

    /// <summary>
    /// A directory searched first for <c>libcuda.so.1</c> and <c>libcublasLt.so.13</c> / <c>.so.12</c>,
    /// before <c>$CUDA_HOME/lib64</c> (cuBLASLt only) and the system library path. Empty: no such directory.
    /// </summary>
    public string? LibraryDirectory { get; set; }

    /// <summary>A library directory, when given, exists.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(LibraryDirectory) && !Directory.Exists(LibraryDirectory))
        {
            yield return OptionsMember.Fail(validationContext, nameof(LibraryDirectory), $"'{LibraryDirectory}' is not a directory");
        }
    }
}
