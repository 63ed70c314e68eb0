using System.Globalization;

namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// The device a canary occupies: the CPU, or one GPU by index. Its text form — <c>cpu</c>,
/// <c>gpu:0</c> — is the device lane, the <c>device</c> label and the name of the GPU's energy
/// counter (<c>gpu:N</c>, as the NVML probe names it).
/// </summary>
public readonly record struct DeviceRef
{
    /// <summary>The prefix of a GPU's text form.</summary>
    public const string GpuPrefix = "gpu:";

    private DeviceRef(int gpu) => GpuIndex = gpu;

    /// <summary>The CPU.</summary>
    public static DeviceRef Cpu => default;

    /// <summary>The GPU index; null for the CPU.</summary>
    public int? GpuIndex { get; }

    /// <summary>True for a GPU.</summary>
    public bool IsGpu => GpuIndex is not null;

    /// <summary>GPU <paramref name="index"/> (zero or more).</summary>
    public static DeviceRef Gpu(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return new DeviceRef(index);
    }

    /// <summary>Reads <c>cpu</c> or <c>gpu:N</c>; false for anything else.</summary>
    public static bool TryParse(string? text, out DeviceRef device)
    {
        device = Cpu;
        if (string.Equals(text, "cpu", StringComparison.Ordinal))
        {
            return true;
        }

        if (text is not null && text.StartsWith(GpuPrefix, StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(GpuPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            device = Gpu(index);
            return true;
        }

        return false;
    }

    /// <summary><c>cpu</c> or <c>gpu:N</c>.</summary>
    public override string ToString() => GpuIndex is { } index ? GpuPrefix + index.ToString(CultureInfo.InvariantCulture) : "cpu";
}
