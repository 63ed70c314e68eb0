using System.Diagnostics;
using BenchDaemon.Workloads.Onnx;
using BenchDaemon.Workloads.Tests.Support;

namespace BenchDaemon.Workloads.Tests.Onnx;

/// <summary><c>OnnxRuntime:LibraryPath</c> with the GPU package built in: the configured library is the one loaded.</summary>
public sealed class OnnxRuntimeLibraryPathTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("benchdaemon-ortpath-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [GpuPackageFact]
    public Task LibraryPath_ACopyElsewhere_IsLoadedAndItsProvidersAreListed() => LoadCopyAsync(logInstalledFirst: false);

    // The worker creates the environment (OnnxRuntimeLog) before OnnxRuntimeInfo loads the
    // library: the configured path must be the one loaded all the same.
    [GpuPackageFact]
    public Task LibraryPath_LogInstalledFirst_TheCopyIsStillTheLibraryLoaded() => LoadCopyAsync(logInstalledFirst: true);

    private async Task LoadCopyAsync(bool logInstalledFirst)
    {
        var bundled = OnnxRuntimeBuild.ExpectedLibraryPath(null)!;
        var copy = Path.Combine(_root, "libonnxruntime.so.1.32.0");
        File.Copy(bundled, copy);

        var start = new ProcessStartInfo("dotnet", ["exec", typeof(ChildProgram).Assembly.Location, "runtime", copy, .. logInstalledFirst ? new[] { "log" } : []]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["LD_DEBUG"] = "files";
        using var child = Process.Start(start)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        await child.WaitForExitAsync();

        Assert.StartsWith("1.32.0 TensorrtExecutionProvider,CUDAExecutionProvider,CPUExecutionProvider", (await stdout).Trim(), StringComparison.Ordinal);
        Assert.Contains($"file={copy}", await stderr, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(_root, "libonnxruntime_providers_cuda.so"), OnnxRuntimeBuild.ProviderLibraryPath(copy, "CUDAExecutionProvider"));
    }
}
