using System.Runtime.CompilerServices;
using BenchDaemon.Workloads.Onnx;

namespace BenchDaemon.Workloads.Tests.Support;

/// <summary>
/// A fact about ONNX Runtime's GPU package (its CUDA and TensorRT provider libraries); in a
/// CPU-only build (<c>-p:OnnxRuntimeFlavor=Cpu</c>) it is reported skipped, saying why.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class GpuPackageFactAttribute : FactAttribute
{
    public GpuPackageFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (OnnxRuntimeBuild.Flavor != OnnxRuntimeBuild.GpuFlavor)
        {
            Skip = "needs ONNX Runtime's GPU package; this is a CPU-only build (-p:OnnxRuntimeFlavor=Cpu)";
        }
    }
}
