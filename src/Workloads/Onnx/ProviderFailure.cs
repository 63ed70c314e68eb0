using System.Globalization;
using System.Text.RegularExpressions;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Cuda;

namespace BenchDaemon.Workloads.Onnx;

/// <summary>
/// Why a GPU provider cannot run, three ways: a bounded <see cref="Code"/> (a
/// <see cref="ReasonCodes"/> value), a short <see cref="Summary"/> and the full
/// <see cref="Reason"/> with what to do. ONNX Runtime often says only "Failed to load shared
/// library"; <see cref="Explain"/> derives the cause from the discovery result, the loader's
/// message for the provider library (<c>dlerror()</c>) and the CUDA error in ONNX Runtime's text.
/// </summary>
/// <param name="Code">A <see cref="ReasonCodes"/> value.</param>
/// <param name="Summary">The cause in a few words.</param>
/// <param name="Reason">The cause in full.</param>
public sealed partial record ProviderFailure(string Code, string Summary, string Reason)
{
    /// <summary>The oldest driver API version that runs CUDA 13 (cuDriverGetVersion: 1000 × major + 10 × minor).</summary>
    public const int Cuda13DriverVersion = 13000;

    /// <summary>The provider is not compiled into the loaded ONNX Runtime.</summary>
    public static ProviderFailure NotInBuild(string ortProvider, IEnumerable<string> available) => new(
        ReasonCodes.ProviderUnavailable,
        "not in this ONNX Runtime build",
        $"{ortProvider} is not in this ONNX Runtime build (available: {string.Join(", ", available)}); the GPU providers come with the default build, not the CPU-only one (-p:OnnxRuntimeFlavor=Cpu), or set OnnxRuntime:LibraryPath to a GPU build");

    /// <summary>Required libraries missing or failing to load; null when <paramref name="libraries"/> has no problem.</summary>
    public static ProviderFailure? FromLibraries(GpuLibraryReport libraries)
    {
        ArgumentNullException.ThrowIfNull(libraries);
        if (libraries.Problem() is not { } problem)
        {
            return null;
        }

        var missing = libraries.Missing.ToList();
        if (missing.Count > 0)
        {
            var summary = missing.Count == 1 ? $"{missing[0].Soname} not found" : $"{missing[0].Soname} and {missing.Count - 1} more not found";
            if (missing.Any(m => m.Soname == GpuLibraryCatalogue.Driver.Soname))
            {
                // With no driver there is no GPU to speak of; the other libraries are a later problem.
                return new(ReasonCodes.DriverUnavailable, "no NVIDIA driver (libcuda.so.1 not found)", problem + "; install the NVIDIA driver (or, in a container, the NVIDIA container toolkit)");
            }

            return new(ReasonCodes.LibraryUnavailable, summary, problem + $"; install CUDA 13 and cuDNN 9 (system packages, or pip: nvidia-*-cu13, nvidia-cudnn-cu13), or set {CudaOptions.SectionName}:{nameof(CudaOptions.LibraryDirectory)}");
        }

        var failed = libraries.Unloadable.First();
        return new(ReasonCodes.LibraryUnavailable, $"{failed.Soname} does not load", problem);
    }

    /// <summary>What the CUDA driver said at <c>cuInit</c>, <c>cuDriverGetVersion</c> and <c>cuDeviceGetCount</c>; null when the device can be used.</summary>
    public static ProviderFailure? FromDriver(int initResult, string initName, int driverVersion, int deviceCount, int device)
    {
        if (initResult == CudaDriver.ErrorNoDevice || (initResult == CudaDriver.Success && deviceCount == 0))
        {
            return NoDevice($"the NVIDIA driver sees no CUDA device ({(initResult == CudaDriver.Success ? "cuDeviceGetCount: 0" : "cuInit: " + initName)})");
        }

        if (initResult == CudaDriver.ErrorInsufficientDriver || (initResult == CudaDriver.Success && driverVersion is > 0 and < Cuda13DriverVersion))
        {
            var supports = driverVersion > 0 ? $"it supports CUDA {driverVersion / 1000}.{driverVersion % 1000 / 10}" : "cuInit: " + initName;
            return DriverTooOld($"driver too old for CUDA 13: {supports}; ONNX Runtime's GPU package needs a CUDA 13 driver (R580 or newer)");
        }

        if (initResult != CudaDriver.Success)
        {
            return new(ReasonCodes.DriverUnavailable, "CUDA driver does not start", $"the CUDA driver does not start: cuInit returned {initName}");
        }

        return device >= deviceCount
            ? new(ReasonCodes.DeviceUnavailable, $"no CUDA device {device}", $"no CUDA device {device}: the host has {deviceCount} (device_id counts from 0)")
            : null;
    }

    /// <summary>
    /// Explains a failure message from the loader (<c>dlerror()</c> of the provider library) or from
    /// ONNX Runtime, using <paramref name="libraries"/> to name what is missing and where it was looked for.
    /// </summary>
    public static ProviderFailure Explain(string ortProvider, string message, GpuLibraryReport libraries)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(libraries);
        var text = message.Trim();

        // The loader: "libcublasLt.so.13: cannot open shared object file: No such file or directory".
        if (CannotOpen().Match(text) is { Success: true } open)
        {
            var soname = open.Groups["soname"].Value;
            if (libraries[soname] is { } known)
            {
                return new(ReasonCodes.LibraryUnavailable, $"{soname} not found",
                    $"{soname} ({known.Description}) not found{(known.Found ? $" by the loader, though found at {known.Path} (it did not load)" : string.Empty)}; searched: {libraries.SearchedText}");
            }

            return new(ReasonCodes.LibraryUnavailable, $"{soname} not found", $"{soname}, needed by {ortProvider}'s libraries, is not on the loader path: {FirstLine(text)}");
        }

        if (text.Contains("version `", StringComparison.Ordinal) || text.Contains("undefined symbol", StringComparison.Ordinal))
        {
            return new(ReasonCodes.LibraryUnavailable, "CUDA libraries of another version", $"the CUDA libraries found do not match what {ortProvider} was built for (CUDA 13, cuDNN 9, TensorRT 10): {FirstLine(text)}");
        }

        // CUDA runtime errors as ONNX Runtime prints them: "CUDA failure 100: no CUDA-capable device is detected ; GPU=…".
        var cuda = CudaFailure().Match(text) is { Success: true } failure ? int.Parse(failure.Groups["code"].Value, CultureInfo.InvariantCulture) : -1;
        if (cuda == 100 || Mentions(text, "cudaErrorNoDevice", "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device"))
        {
            return NoDevice($"no CUDA device: {CudaText(text)}");
        }

        if (cuda == 35 || Mentions(text, "cudaErrorInsufficientDriver", "CUDA_ERROR_INSUFFICIENT_DRIVER", "driver version is insufficient"))
        {
            return DriverTooOld($"driver too old for CUDA 13: the CUDA 13 runtime refuses this driver ({CudaText(text)}); install R580 or newer");
        }

        if (cuda is 803 or 804 || Mentions(text, "cudaErrorSystemDriverMismatch", "cudaErrorCompatNotSupportedOnDevice", "forward compatibility"))
        {
            return new(ReasonCodes.DriverUnavailable, "CUDA compatibility package mismatch", $"the CUDA forward-compatibility package does not match the kernel driver or this GPU: {FirstLine(text)}");
        }

        if (cuda == 101 || Mentions(text, "cudaErrorInvalidDevice", "invalid device ordinal", "Invalid device ID"))
        {
            return new(ReasonCodes.DeviceUnavailable, "no such CUDA device", $"no such CUDA device: {FirstLine(text)}");
        }

        if (cuda == 2 || Mentions(text, "cudaErrorMemoryAllocation", "out of memory", "CUDNN_STATUS_ALLOC_FAILED"))
        {
            return new(ReasonCodes.OutOfMemory, "out of GPU memory", $"out of GPU memory: {FirstLine(text)}");
        }

        if (Mentions(text, "Failed to load shared library", "Failed to load library"))
        {
            // ONNX Runtime's short form hides the loader's words; the discovery result still knows what is missing.
            return FromLibraries(libraries)
                   ?? new(ReasonCodes.LibraryUnavailable, "provider library does not load", $"ONNX Runtime could not load {ortProvider}'s library and gave no cause ({FirstLine(text)}); its log on stderr names it");
        }

        if (Mentions(text, "CUDNN_STATUS", "cudnn"))
        {
            return new(ReasonCodes.LibraryUnavailable, "cuDNN failed", $"cuDNN failed: {FirstLine(text)}");
        }

        return new(ReasonCodes.RuntimeError, "ONNX Runtime error", $"ONNX Runtime: {FirstLine(text)}");
    }

    private static ProviderFailure NoDevice(string reason) => new(ReasonCodes.DeviceUnavailable, "no CUDA device", reason);

    private static ProviderFailure DriverTooOld(string reason) => new(ReasonCodes.DriverUnavailable, "driver too old for CUDA 13", reason);

    private static bool Mentions(string text, params string[] needles) => needles.Any(n => text.Contains(n, StringComparison.OrdinalIgnoreCase));

    /// <summary>"CUDA failure 100: no CUDA-capable device is detected (cudaGetDeviceCount)" out of ONNX Runtime's long line, else its first line.</summary>
    private static string CudaText(string text)
    {
        if (CudaFailureText().Match(text) is not { Success: true } match)
        {
            return FirstLine(text);
        }

        return match.Groups["expr"].Success ? $"{match.Groups["text"].Value.Trim()} ({match.Groups["expr"].Value.Trim()})" : match.Groups["text"].Value.Trim();
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();

        // ONNX Runtime prefixes its messages with the source location; the cause is at the end.
        var cut = line.LastIndexOf(" : FAIL : ", StringComparison.Ordinal);
        return cut >= 0 ? line[(cut + " : FAIL : ".Length)..] : line;
    }

    [GeneratedRegex(@"(?<soname>lib[\w.+-]+\.so(\.\d+)*): cannot open shared object file")]
    private static partial Regex CannotOpen();

    [GeneratedRegex(@"(?<text>CUDA failure \d+: [^;\n]*)(;[^\n]*?expr=(?<expr>\w+))?")]
    private static partial Regex CudaFailureText();

    [GeneratedRegex(@"CUDA failure (?<code>\d+):")]
    private static partial Regex CudaFailure();
}
