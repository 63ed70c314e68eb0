namespace BenchDaemon.Probes.Linux;

/// <summary>Why a RAPL zone's <c>energy_uj</c> could not be read.</summary>
public enum RaplReadFailureKind
{
    /// <summary>
    /// Permission denied. Since Linux 5.10 (and stable backports) <c>energy_uj</c> is readable by root
    /// only, because unprivileged energy readings leak secrets (CVE-2020-8694, "Platypus").
    /// </summary>
    AccessDenied,

    /// <summary>An I/O error, or the zone disappeared.</summary>
    IOError,

    /// <summary>The file did not hold a number.</summary>
    Malformed,
}
