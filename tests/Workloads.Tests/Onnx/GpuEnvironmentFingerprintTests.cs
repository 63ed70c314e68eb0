using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Workloads.Onnx;

namespace BenchDaemon.Workloads.Tests.Onnx;

public sealed class GpuEnvironmentFingerprintTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("benchdaemon-fingerprint-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.65.06  Sun Jul 27 07:09:53 UTC 2025\nGCC version:  gcc version 13.3.0\n", "580.65.06")]
    [InlineData("NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  575.57.08  Release Build  (dvs-builder@U16-I3-B03-4-3)  Wed May 21 04:49:11 UTC 2025\n", "575.57.08")]
    [InlineData("something else\n", null)]
    public void ParseDriverVersion_ProcDriverNvidiaVersion(string text, string? expected) =>
        Assert.Equal(expected, GpuEnvironmentFingerprint.ParseDriverVersion(text));

    [Fact]
    public void Capture_DriverGpusLibrariesAndRuntime_HashChangesWhenALibraryChanges()
    {
        var proc = Path.Combine(_root, "proc");
        Directory.CreateDirectory(Path.Combine(proc, "driver", "nvidia", "gpus", "0000:17:00.0"));
        Directory.CreateDirectory(Path.Combine(proc, "driver", "nvidia", "gpus", "0000:65:00.0"));
        File.WriteAllText(Path.Combine(proc, "driver", "nvidia", "version"), "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.65.06  Sun Jul 27 07:09:53 UTC 2025\n");
        var libs = Directory.CreateDirectory(Path.Combine(_root, "libs")).FullName;
        File.WriteAllBytes(Path.Combine(libs, "libcudnn.so.9"), new byte[10]);
        var runtime = Path.Combine(_root, "libonnxruntime.so");
        File.WriteAllBytes(runtime, new byte[7]);
        var discovery = new GpuLibraryDiscovery(new GpuSearchRoots { ConfiguredDirectories = [libs] });

        var before = GpuEnvironmentFingerprint.Capture(discovery, runtime, proc);
        File.WriteAllBytes(Path.Combine(libs, "libcudnn.so.9"), new byte[11]);
        var after = GpuEnvironmentFingerprint.Capture(discovery, runtime, proc);

        Assert.Equal("580.65.06", before.DriverVersion);
        Assert.Equal(2, before.DeviceCount);
        Assert.Equal($"{runtime} 7", before.OnnxRuntimeLibrary);
        Assert.Equal([$"libcudnn.so.9 {Path.Combine(libs, "libcudnn.so.9")} 10"], before.Libraries);
        Assert.Matches("^[0-9a-f]{64}$", before.Hash);
        Assert.NotEqual(before.Hash, after.Hash);
        Assert.Equal(after.Hash, GpuEnvironmentFingerprint.Capture(discovery, runtime, proc).Hash);
    }

    [Fact]
    public void Capture_NoNvidiaDriver_NoVersionNoDevices()
    {
        var fingerprint = GpuEnvironmentFingerprint.Capture(new GpuLibraryDiscovery(new GpuSearchRoots()), null, Path.Combine(_root, "empty-proc"));

        Assert.Null(fingerprint.DriverVersion);
        Assert.Equal(0, fingerprint.DeviceCount);
        Assert.Empty(fingerprint.Libraries);
    }
}
