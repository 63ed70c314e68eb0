namespace BenchDaemon.Probes.Linux;

/// <summary>
/// One line of a pressure stall information file (<c>/proc/pressure/{cpu,memory,io}</c>,
/// https://docs.kernel.org/accounting/psi.html): the share of time some (or all) tasks were
/// stalled on <see cref="Resource"/>. Averages are ratios (0..1), the total is in seconds.
/// </summary>
public sealed record PressureStat(
    string Resource,
    string Kind,
    double Avg10,
    double Avg60,
    double Avg300,
    double TotalSeconds);
