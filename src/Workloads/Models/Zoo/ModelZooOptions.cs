using System.ComponentModel.DataAnnotations;

namespace BenchDaemon.Workloads.Models.Zoo;

/// <summary>Settings of the <see cref="ModelZoo"/>.</summary>
public sealed class ModelZooOptions
{
    /// <summary>
    /// The directory under which generated models are kept, in its <c>models/</c> subdirectory:
    /// BenchDaemon's state directory (<c>State:Directory</c>), so the cache survives restarts.
    /// </summary>
    [Required]
    public string? CacheDirectory { get; set; }
}
