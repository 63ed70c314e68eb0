using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Workloads.Models.Zoo;

/// <summary>Where one precision of a built-in model lives in the cache and whether it is there (<see cref="ModelZoo.Inspect"/>).</summary>
/// <param name="Name">The built-in model's name.</param>
/// <param name="Precision">The precision of the file.</param>
/// <param name="Path">The file's path, whether or not it exists yet.</param>
/// <param name="Cached">
/// The file and its <c>.sha256</c> checksum file exist and the file has the size the checksum
/// file records. Its content is not hashed here; <see cref="ModelZoo.GetPath"/> does that.
/// </param>
/// <param name="Bytes">The file's size when it exists, else null.</param>
public sealed record ModelCacheEntry(string Name, Precision Precision, string Path, bool Cached, long? Bytes);
