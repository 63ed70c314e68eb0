namespace BenchDaemon.Workloads.Onnx;

/// <summary>
/// Whether one provider can run on one device here, found by trying it for real: usable, or
/// unusable with the missing piece named in words a user can act on. Plain properties: it
/// crosses the worker's process boundary as JSON.
/// </summary>
public sealed record ProviderUsability
{
    /// <summary>ONNX Runtime's provider name (<c>CUDAExecutionProvider</c>).</summary>
    public required string Provider { get; init; }

    /// <summary>The CUDA device index.</summary>
    public int Device { get; init; }

    /// <summary>True when a session on this provider alone (no CPU fallback) was created and ran.</summary>
    public bool Usable { get; init; }

    /// <summary>A bounded code (<see cref="Canaries.ReasonCodes"/>): provider_unavailable, library_unavailable, driver_unavailable, device_unavailable, out_of_memory, runtime_error, runtime_unavailable; null when usable.</summary>
    public string? ReasonCode { get; init; }

    /// <summary>The short cause, fit for a metric label (<c>libcudnn.so.9 not found</c>, <c>no CUDA device</c>); null when usable.</summary>
    public string? Summary { get; init; }

    /// <summary>The full cause with what to do (<c>libcudnn.so.9 (cuDNN 9) not found; searched: …</c>); null when usable.</summary>
    public string? Reason { get; init; }

    /// <summary>Seconds the check took (session creation and one run when it got that far).</summary>
    public double CheckSeconds { get; init; }

    /// <summary>A usable result.</summary>
    public static ProviderUsability UsableOn(string provider, int device, double seconds = 0) =>
        new() { Provider = provider, Device = device, Usable = true, CheckSeconds = seconds };

    /// <summary>An unusable result with its cause.</summary>
    public static ProviderUsability Unusable(string provider, int device, ProviderFailure failure, double seconds = 0)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return new() { Provider = provider, Device = device, Usable = false, ReasonCode = failure.Code, Summary = failure.Summary, Reason = failure.Reason, CheckSeconds = seconds };
    }
}
