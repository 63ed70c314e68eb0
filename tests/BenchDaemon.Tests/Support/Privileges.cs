namespace BenchDaemon.Tests.Support;

/// <summary>Runs a child without root's file-permission override.</summary>
public static class Privileges
{
    /// <summary>
    /// <c>setpriv</c> dropping CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH: the child stays root and
    /// owns its (root-owned) state directory, but a file or directory whose mode denies it is denied
    /// to it, as it would be to a service user. Empty when the tests do not run as root.
    /// </summary>
    public static IReadOnlyList<string> WithoutFileOverride { get; } = Environment.UserName == "root"
        ? ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search"]
        : [];
}
