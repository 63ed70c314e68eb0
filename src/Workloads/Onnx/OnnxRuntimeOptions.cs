namespace BenchDaemon.Workloads.Onnx;

/// <summary>Which ONNX Runtime native library to load (section <c>OnnxRuntime</c>).</summary>
public sealed class OnnxRuntimeOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "OnnxRuntime";

    /// <summary>
    /// Path of a <c>libonnxruntime.so</c> to use instead of the bundled CPU build, for example a
    /// GPU build with the CUDA and TensorRT providers. Empty: the bundled library.
    /// </summary>
    public string? LibraryPath { get; set; }
}
