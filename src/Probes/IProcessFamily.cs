namespace BenchDaemon.Probes;

/// <summary>
/// Processes that belong to this daemon besides its own: its worker processes. Their CPU time
/// counts as the daemon's (the CPU guard looks at other work only), and their GPU contexts are not
/// other compute processes on a GPU.
/// </summary>
public interface IProcessFamily
{
    /// <summary>The process ids of the live members.</summary>
    IReadOnlyCollection<int> Members { get; }
}
