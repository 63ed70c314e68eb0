namespace BenchDaemon.Workloads.Canaries;

/// <summary>
/// What <see cref="CanaryExpander.Expand"/> makes of the <c>Canaries</c> configuration: the
/// canaries, the problems that make it invalid, and the warnings that do not (a combination
/// that runs, but likely not as meant), each as <c>(key, message)</c>.
/// </summary>
/// <param name="Canaries">The expanded canaries.</param>
/// <param name="Errors">Problems: the configuration is refused while there is one.</param>
/// <param name="Warnings">Said at the configuration check and at start; the configuration stands.</param>
public sealed record CanaryExpansion(
    IReadOnlyList<CanaryDefinition> Canaries,
    IReadOnlyList<(string Key, string Problem)> Errors,
    IReadOnlyList<(string Key, string Problem)> Warnings)
{
    /// <summary>The canaries and the errors, for callers that have no use for the warnings.</summary>
    public void Deconstruct(out IReadOnlyList<CanaryDefinition> canaries, out IReadOnlyList<(string Key, string Problem)> errors)
    {
        canaries = Canaries;
        errors = Errors;
    }
}
