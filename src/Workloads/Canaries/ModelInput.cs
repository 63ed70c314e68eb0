namespace BenchDaemon.Workloads.Canaries;

/// <summary>A model input's name and shape as the model declares it, before any batch size is chosen.</summary>
/// <param name="Name">The input's name.</param>
/// <param name="Dimensions">Each dimension: its size, or -1 where it is dynamic.</param>
/// <param name="Symbols">Each dimension's symbolic name (<c>batch</c>, <c>sequence</c>), empty where it has none.</param>
/// <param name="IsTensor">False for a sequence, map or optional input (which has no dimensions here).</param>
public sealed record ModelInput(string Name, IReadOnlyList<long> Dimensions, IReadOnlyList<string> Symbols, bool IsTensor = true)
{
    /// <summary>True when some dimension is dynamic (TensorRT then needs an optimisation profile for it).</summary>
    public bool IsDynamic => Dimensions.Any(d => d < 0);
}
