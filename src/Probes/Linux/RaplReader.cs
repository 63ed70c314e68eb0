using System.Globalization;

namespace BenchDaemon.Probes.Linux;

/// <summary>
/// Reads the RAPL (running average power limit) energy counters the powercap framework exposes
/// under <c>{SysRoot}/class/powercap</c> (https://docs.kernel.org/power/powercap/powercap.html).
/// </summary>
/// <remarks>
/// <para>
/// Zones are directories <c>intel-rapl:N</c> (package N, or <c>psys</c>, the whole platform) and
/// <c>intel-rapl:N:M</c> (a subzone of package N: <c>core</c>, <c>uncore</c>, <c>dram</c>). AMD
/// processors appear under the same <c>intel-rapl</c> names; any other <c>*-rapl</c> control type
/// (such as <c>amd-rapl</c>) is accepted the same way. A top-level zone is labelled by its
/// <c>name</c> file (<c>package-0</c>, <c>psys</c>); a subzone by <c>{name}-{N}</c>
/// (<c>dram-0</c>) because every package has a subzone of the same name.
/// </para>
/// <para>
/// Skipped: the control-type directory itself (<c>intel-rapl</c>, no <c>energy_uj</c>) and the
/// <c>intel-rapl-mmio:*</c> zones, which some Intel client CPUs expose through the MMIO interface
/// next to the MSR one: they count the same package energy again, and summing both would double it.
/// </para>
/// <para>
/// Zones do not appear at run time (they come with the driver at boot), so the tree is scanned once,
/// on the first <see cref="Read"/>; each later call reads only the <c>energy_uj</c> files. Not
/// thread-safe: one sampler owns it.
/// </para>
/// </remarks>
public sealed class RaplReader
{
    private Zone[]? _zones;

    /// <summary>Creates a reader for the sys file system at <paramref name="sysRoot"/>.</summary>
    /// <param name="sysRoot">Root of sysfs, <c>/sys</c> outside tests.</param>
    public RaplReader(string sysRoot)
    {
        ArgumentException.ThrowIfNullOrEmpty(sysRoot);
        PowercapPath = Path.Combine(sysRoot, "class", "powercap");
    }

    /// <summary>The powercap directory scanned for zones.</summary>
    public string PowercapPath { get; }

    /// <summary>The labels of the zones found, in package then subzone order (scans on first use).</summary>
    public IReadOnlyList<string> Domains => Array.ConvertAll(Zones, zone => zone.Domain);

    private Zone[] Zones => _zones ??= Discover(PowercapPath);

    /// <summary>Reads the <c>energy_uj</c> counter of every zone.</summary>
    /// <returns>The zones read, and those that could not be read with the reason; both empty when
    /// the machine has no RAPL zones.</returns>
    public RaplReadResult Read()
    {
        var zones = Zones;
        var readings = new List<RaplReading>(zones.Length);
        List<RaplReadFailure>? failures = null;
        foreach (var zone in zones)
        {
            RaplReadFailureKind kind;
            string message;
            try
            {
                readings.Add(new RaplReading(zone.Domain, SysfsFile.ReadUInt64(zone.EnergyPath), zone.MaxEnergyRangeMicrojoules));
                continue;
            }
            catch (UnauthorizedAccessException ex)
            {
                (kind, message) = (RaplReadFailureKind.AccessDenied, ex.Message);
            }
            catch (IOException ex)
            {
                (kind, message) = (RaplReadFailureKind.IOError, ex.Message);
            }
            catch (FormatException ex)
            {
                (kind, message) = (RaplReadFailureKind.Malformed, ex.Message);
            }

            (failures ??= []).Add(new RaplReadFailure(zone.Domain, zone.EnergyPath, kind, message));
        }

        return new RaplReadResult(readings, failures ?? (IReadOnlyList<RaplReadFailure>)[]);
    }

    private static Zone[] Discover(string powercapPath)
    {
        string[] directories;
        try
        {
            // Entries of /sys/class/powercap are symbolic links to the zones under
            // /sys/devices/virtual/powercap; they enumerate as directories.
            directories = Directory.Exists(powercapPath) ? Directory.GetDirectories(powercapPath) : [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // sysfs directories are world-readable; if this one is not, there is nothing to read.
            return [];
        }

        var found = new List<(string ControlType, int Package, int Subzone, string Directory)>();
        foreach (var directory in directories)
        {
            if (TryParseZoneName(Path.GetFileName(directory.AsSpan()), out var controlType, out int package, out int subzone)
                && File.Exists(Path.Combine(directory, "energy_uj")))
            {
                found.Add((controlType, package, subzone, directory));
            }
        }

        // Numeric order (intel-rapl:2 before intel-rapl:10), each package before its subzones.
        found.Sort((a, b) =>
        {
            int order = string.CompareOrdinal(a.ControlType, b.ControlType);
            if (order == 0)
            {
                order = a.Package.CompareTo(b.Package);
            }

            return order != 0 ? order : a.Subzone.CompareTo(b.Subzone);
        });

        var zones = new List<Zone>(found.Count);
        var domains = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, package, subzone, directory) in found)
        {
            string name = ReadName(directory);
            string domain = subzone < 0 ? name : string.Create(CultureInfo.InvariantCulture, $"{name}-{package}");
            // Two control types describing the same package would report its energy twice; keep the first.
            if (domains.Add(domain))
            {
                zones.Add(new Zone(domain, Path.Combine(directory, "energy_uj"), ReadMaxEnergyRange(directory)));
            }
        }

        return [.. zones];
    }

    // "intel-rapl:0" -> (intel-rapl, 0, -1); "intel-rapl:0:1" -> (intel-rapl, 0, 1).
    private static bool TryParseZoneName(ReadOnlySpan<char> name, out string controlType, out int package, out int subzone)
    {
        controlType = "";
        package = -1;
        subzone = -1;

        int colon = name.IndexOf(':');
        if (colon <= 0)
        {
            return false; // the control-type directory itself
        }

        var type = name[..colon];
        if (!type.EndsWith("rapl", StringComparison.Ordinal) || type.Contains("mmio", StringComparison.Ordinal))
        {
            return false;
        }

        var indices = name[(colon + 1)..];
        int second = indices.IndexOf(':');
        var packageText = second < 0 ? indices : indices[..second];
        if (!int.TryParse(packageText, NumberStyles.None, CultureInfo.InvariantCulture, out package))
        {
            return false;
        }

        if (second >= 0 && !int.TryParse(indices[(second + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out subzone))
        {
            return false;
        }

        controlType = type.ToString();
        return true;
    }

    private static string ReadName(string directory)
    {
        try
        {
            string name = SysfsFile.ReadLine(Path.Combine(directory, "name"));
            if (name.Length > 0)
            {
                return name;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Fall back to the directory name below: still unique, just less readable.
        }

        return Path.GetFileName(directory);
    }

    private static ulong ReadMaxEnergyRange(string directory)
    {
        try
        {
            return SysfsFile.ReadUInt64(Path.Combine(directory, "max_energy_range_uj"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            // Unknown range: the accumulator then treats a decrease as a counter reset.
            return 0;
        }
    }

    private sealed record Zone(string Domain, string EnergyPath, ulong MaxEnergyRangeMicrojoules);
}
