using System.Globalization;

namespace BenchDaemon.Workloads.Cuda;

/// <summary>
/// Reads <c>current_link_speed</c>, <c>max_link_speed</c>, <c>current_link_width</c> and
/// <c>max_link_width</c> of <c>/sys/bus/pci/devices/&lt;bus id&gt;</c>; speeds ("16.0 GT/s PCIe")
/// become generations.
/// </summary>
public sealed class SysfsPcieLinkReader(string root) : IPcieLinkReader
{
    /// <summary>Where Linux lists PCI devices.</summary>
    public const string DefaultRoot = "/sys/bus/pci/devices";

    public SysfsPcieLinkReader()
        : this(DefaultRoot)
    {
    }

    public PcieLink? Read(string pciBusId)
    {
        ArgumentNullException.ThrowIfNull(pciBusId);
        var id = pciBusId.Trim().ToLowerInvariant();
        // CUDA may print an 8-digit domain (00000000:3B:00.0); sysfs uses four.
        if (id.Split(':') is [{ Length: 8 } domain, var bus, var rest])
        {
            id = $"{domain[4..]}:{bus}:{rest}";
        }

        var directory = Path.Combine(root, id);
        if (id.Contains('/', StringComparison.Ordinal) || !Directory.Exists(directory))
        {
            return null;
        }

        return new PcieLink(
            Generation(ReadText(directory, "current_link_speed")),
            Generation(ReadText(directory, "max_link_speed")),
            Width(ReadText(directory, "current_link_width")),
            Width(ReadText(directory, "max_link_width")));
    }

    /// <summary>The PCIe generation of a sysfs link speed such as <c>32.0 GT/s PCIe</c>; null when not recognised.</summary>
    public static int? Generation(string? speed)
    {
        if (string.IsNullOrWhiteSpace(speed))
        {
            return null;
        }

        var number = speed.Trim().Split(' ', 2)[0];
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var gigatransfers))
        {
            return null;
        }

        return gigatransfers switch
        {
            2.5 => 1,
            5 => 2,
            8 => 3,
            16 => 4,
            32 => 5,
            64 => 6,
            _ => null,
        };
    }

    private static int? Width(string? text) =>
        int.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var width) && width > 0 ? width : null;

    private static string? ReadText(string directory, string name)
    {
        try
        {
            return File.ReadAllText(Path.Combine(directory, name));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
