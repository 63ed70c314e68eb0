namespace BenchDaemon.Workloads.Cuda;

/// <summary>
/// A shared library that a GPU provider or the CUDA micro-canaries need, by soname.
/// </summary>
/// <param name="Soname">The soname looked for first (<c>libcudnn.so.9</c>).</param>
/// <param name="Description">What it is, in words (<c>cuDNN 9</c>).</param>
/// <param name="Required">False for a library that is loaded when present and whose absence
/// only disables some operators (cuFFT) or is tolerated (cuDNN's sub-libraries, which
/// libcudnn.so.9 loads itself).</param>
public sealed record GpuLibrary(string Soname, string Description, bool Required = true)
{
    /// <summary>Other sonames that serve too, in order of preference (cuBLASLt 12 for the micro-canaries).</summary>
    public IReadOnlyList<string> Alternatives { get; init; } = [];

    /// <summary>
    /// The NVIDIA driver: looked for only in the configured folder and on the loader path, never
    /// under CUDA_HOME (the toolkit's <c>stubs/libcuda.so</c> fails every call) or in pip wheels.
    /// </summary>
    public bool DriverOnly { get; init; }

    /// <summary>
    /// The file name continues after the soname with the full version (TensorRT's
    /// <c>libnvinfer_builder_resource.so.10.15.1</c>, opened by its full name); the highest match is taken.
    /// </summary>
    public bool VersionSuffix { get; init; }

    /// <summary>Every soname accepted, preferred first.</summary>
    public IEnumerable<string> Sonames => [Soname, .. Alternatives];
}
