using BenchDaemon.Workloads.Canaries;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Workloads.Onnx;

/// <summary>
/// The one place that reads ONNX Runtime's errors (as <c>NvmlErrors</c> does for NVML): ONNX
/// Runtime reports everything as <see cref="OnnxRuntimeException"/> with a message, so the cause
/// is recognised from the message and turned into a bounded reason code.
/// </summary>
public static class OnnxRuntimeErrors
{
    /// <summary>The reason code and the one-line reason of <paramref name="exception"/>.</summary>
    public static (string Code, string Reason) Classify(OnnxRuntimeException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var code = IsAllocationFailure(exception) ? ReasonCodes.OutOfMemory : ReasonCodes.RuntimeError;
        return (code, "ONNX Runtime: " + FirstLine(exception.Message));
    }

    /// <summary>True when an allocation failed (the arena or the provider's allocator could not give the memory).</summary>
    public static bool IsAllocationFailure(OnnxRuntimeException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Message.Contains("alloc", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True when the session refused to start because some nodes would need the CPU provider and the fallback was disabled.</summary>
    public static bool RefusedCpuFallback(OnnxRuntimeException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Message.Contains("fallback", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True when the bytes are not an ONNX model (truncated, or another file).</summary>
    public static bool IsNotAModel(OnnxRuntimeException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Message.Contains("Protobuf parsing failed", StringComparison.OrdinalIgnoreCase)
               || exception.Message.Contains("ParseFromString", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// True when ONNX Runtime refused the model itself while creating the session: it could not
    /// load the graph (an IR version or opset newer than it reads, a name nothing defines, an
    /// unknown operator or domain, mismatched types) or has no kernel for one of its nodes.
    /// </summary>
    public static bool IsModelRejected(OnnxRuntimeException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var message = exception.Message;
        return !IsAllocationFailure(exception)
               && (message.Contains("Load model from", StringComparison.Ordinal)
                   || message.Contains("[ErrorCode:InvalidGraph]", StringComparison.Ordinal)
                   || message.Contains("Could not find an implementation for", StringComparison.Ordinal));
    }

    /// <summary>The first line of <paramref name="message"/>, at most 400 characters.</summary>
    public static string FirstLine(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length > 400 ? line[..400] + "…" : line;
    }
}
