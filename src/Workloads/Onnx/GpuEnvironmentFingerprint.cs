using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BenchDaemon.Workloads.Cuda;

namespace BenchDaemon.Workloads.Onnx;

/// <summary>
/// What a provider-usability result depends on, read without loading any native library (the
/// daemon computes it on its own timer and asks the worker to check again when
/// <see cref="Hash"/> changes): the NVIDIA kernel driver's version and GPU count from
/// <c>/proc/driver/nvidia</c>, the ONNX Runtime library, and every GPU library discovery finds
/// (path and size). Plain properties: it crosses the worker's process boundary as JSON.
/// </summary>
public sealed record GpuEnvironmentFingerprint
{
    /// <summary>The kernel driver's version (<c>580.65.06</c>) from <c>/proc/driver/nvidia/version</c>; null without the NVIDIA driver.</summary>
    public string? DriverVersion { get; init; }

    /// <summary>GPUs the kernel driver lists in <c>/proc/driver/nvidia/gpus</c>.</summary>
    public int DeviceCount { get; init; }

    /// <summary>The ONNX Runtime library and its size (<c>/opt/…/libonnxruntime.so 38068736</c>); null when none is there.</summary>
    public string? OnnxRuntimeLibrary { get; init; }

    /// <summary>Each GPU library found: <c>soname path size</c>, in catalogue order.</summary>
    public IReadOnlyList<string> Libraries { get; init; } = [];

    /// <summary>SHA-256 (hex) of all of the above: equal hashes mean an unchanged environment.</summary>
    public string Hash { get; init; } = string.Empty;

    /// <summary>Reads the fingerprint. <paramref name="procRoot"/> is <c>/proc</c> (tests give a folder laid out like it).</summary>
    public static GpuEnvironmentFingerprint Capture(GpuLibraryDiscovery discovery, string? onnxRuntimeLibrary, string procRoot = "/proc")
    {
        ArgumentNullException.ThrowIfNull(discovery);
        var libraries = discovery.Find(GpuLibraryCatalogue.All).Libraries
            .Where(l => l.Found)
            .Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Soname} {l.Path} {l.SizeBytes}"))
            .ToList();
        string? runtime = null;
        if (onnxRuntimeLibrary is not null && File.Exists(onnxRuntimeLibrary))
        {
            runtime = string.Create(CultureInfo.InvariantCulture, $"{onnxRuntimeLibrary} {new FileInfo(onnxRuntimeLibrary).Length}");
        }

        var fingerprint = new GpuEnvironmentFingerprint
        {
            DriverVersion = ReadDriverVersion(Path.Combine(procRoot, "driver", "nvidia", "version")),
            DeviceCount = CountDevices(Path.Combine(procRoot, "driver", "nvidia", "gpus")),
            OnnxRuntimeLibrary = runtime,
            Libraries = libraries,
        };
        return fingerprint with { Hash = HashOf(fingerprint) };
    }

    /// <summary>
    /// The version in <c>/proc/driver/nvidia/version</c>'s first line:
    /// <c>NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.65.06  Sun Jul 27 07:09:53 UTC 2025</c>
    /// (open kernel modules say <c>Open Kernel Module for x86_64</c>). Null when absent or unreadable.
    /// </summary>
    public static string? ParseDriverVersion(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var line = text.Split('\n', 2)[0];
        if (!line.StartsWith("NVRM version:", StringComparison.Ordinal))
        {
            return null;
        }

        // The version is the first word made of digits and dots with at least one dot.
        return line.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(w => w.Contains('.', StringComparison.Ordinal) && w.All(c => char.IsAsciiDigit(c) || c == '.') && char.IsAsciiDigit(w[0]));
    }

    private static string? ReadDriverVersion(string path)
    {
        try
        {
            return File.Exists(path) ? ParseDriverVersion(File.ReadAllText(path)) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int CountDevices(string path)
    {
        try
        {
            return Directory.Exists(path) ? Directory.EnumerateDirectories(path).Count() : 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static string HashOf(GpuEnvironmentFingerprint f)
    {
        var text = new StringBuilder()
            .Append("driver=").Append(f.DriverVersion).Append('\n')
            .Append("devices=").Append(f.DeviceCount.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("onnxruntime=").Append(f.OnnxRuntimeLibrary).Append('\n');
        foreach (var library in f.Libraries)
        {
            text.Append(library).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
