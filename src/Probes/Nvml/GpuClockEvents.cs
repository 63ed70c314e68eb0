namespace BenchDaemon.Probes.Nvml;

/// <summary>
/// The clock-event (throttle) reason bits of <c>nvmlDeviceGetCurrentClocksEventReasons</c>
/// and the label each is exported under
/// (https://docs.nvidia.com/deploy/nvml-api/group__nvmlClocksEventReasons.html).
/// </summary>
public static class GpuClockEvents
{
    /// <summary>Every named reason with its bit, in export order.</summary>
    public static IReadOnlyList<(string Name, ulong Bit)> Reasons { get; } =
    [
        ("gpu_idle", 0x1),
        ("applications_clocks_setting", 0x2),
        ("sw_power_cap", 0x4),
        ("hw_slowdown", 0x8),
        ("sync_boost", 0x10),
        ("sw_thermal_slowdown", 0x20),
        ("hw_thermal_slowdown", 0x40),
        ("hw_power_brake_slowdown", 0x80),
        ("display_clock_setting", 0x100),
    ];

    /// <summary>Software or hardware thermal slowdown: what the thermal guard reacts to.</summary>
    public const ulong ThermalMask = 0x20 | 0x40;

    /// <summary>The names of the bits set in <paramref name="reasons"/>.</summary>
    public static IReadOnlyList<string> Names(ulong reasons)
    {
        var names = new List<string>();
        foreach (var (name, bit) in Reasons)
        {
            if ((reasons & bit) != 0)
            {
                names.Add(name);
            }
        }

        return names;
    }

    /// <summary>
    /// The policies of <c>nvmlDeviceGetViolationStatus</c> (<c>nvmlPerfPolicyType_t</c>) and their labels:
    /// cumulative time each held clocks below their target.
    /// </summary>
    public static IReadOnlyList<(string Name, int Policy)> ViolationPolicies { get; } =
    [
        ("power", 0),
        ("thermal", 1),
        ("sync_boost", 2),
        ("board_limit", 3),
        ("low_utilization", 4),
        ("reliability", 5),
        ("applications_clocks", 10),
        ("base_clocks", 11),
    ];
}
