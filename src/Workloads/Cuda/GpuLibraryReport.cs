using System.Text.Json.Serialization;

namespace BenchDaemon.Workloads.Cuda;

/// <summary>
/// What was found where, what is missing, and every place searched (in order): the value
/// <c>probe</c> prints and the usability check names in its reasons. Plain properties: it
/// crosses the worker's process boundary as JSON.
/// </summary>
public sealed record GpuLibraryReport
{
    /// <summary>Every library looked for, in load order (leaves first).</summary>
    public IReadOnlyList<GpuLibraryStatus> Libraries { get; init; } = [];

    /// <summary>Every place searched, in search order.</summary>
    public IReadOnlyList<GpuSearchPlace> Searched { get; init; } = [];

    /// <summary>Required libraries that were not found.</summary>
    [JsonIgnore]
    public IEnumerable<GpuLibraryStatus> Missing => Libraries.Where(l => l.Required && !l.Found);

    /// <summary>Required libraries that were found but failed to load.</summary>
    [JsonIgnore]
    public IEnumerable<GpuLibraryStatus> Unloadable => Libraries.Where(l => l.Required && l.LoadError is not null);

    /// <summary>The status of <paramref name="soname"/>, or null when it was not looked for.</summary>
    public GpuLibraryStatus? this[string soname] => Libraries.FirstOrDefault(l => string.Equals(l.Soname, soname, StringComparison.Ordinal));

    /// <summary>The part of this report about <paramref name="libraries"/> (same places searched).</summary>
    public GpuLibraryReport For(IEnumerable<GpuLibrary> libraries)
    {
        ArgumentNullException.ThrowIfNull(libraries);
        var wanted = libraries.Select(l => l.Soname).ToHashSet(StringComparer.Ordinal);
        return this with { Libraries = [.. Libraries.Where(l => wanted.Contains(l.Soname))] };
    }

    /// <summary>The places searched, as a user reads them: <c>/opt/libs (Cuda:LibraryDirectory), …, ld.so.cache (loader path)</c>.</summary>
    [JsonIgnore]
    public string SearchedText => Searched.Count == 0 ? "nowhere" : string.Join(", ", Searched.Select(p => p.ToString()));

    /// <summary>
    /// Why these libraries cannot serve, in words a user can act on, or null when every required
    /// one was found and (where loading was tried) loaded:
    /// <c>libcudnn.so.9 (cuDNN 9) not found; searched: …</c>.
    /// </summary>
    public string? Problem()
    {
        var missing = Missing.ToList();
        if (missing.Count > 0)
        {
            return $"{string.Join(", ", missing.Select(m => $"{m.Soname} ({m.Description})"))} not found; searched: {SearchedText}";
        }

        return Unloadable.FirstOrDefault() is { } failed ? $"{failed.Soname} ({failed.Path}) failed to load: {failed.LoadError}" : null;
    }

    /// <summary>The soname named by a loader message such as <c>libcublas.so.13: cannot open shared object file</c>, if it is one of these libraries.</summary>
    public GpuLibraryStatus? Named(string? loaderMessage) =>
        loaderMessage is null ? null : Libraries.FirstOrDefault(l => loaderMessage.Contains(l.Soname, StringComparison.Ordinal));
}
