namespace BenchDaemon.Workloads.Cuda;

/// <summary>
/// What discovery (and, after <see cref="GpuLibraryLoader.Preload(GpuLibraryReport)"/>, the loader) made of one
/// <see cref="GpuLibrary"/>. Plain properties: it crosses the worker's process boundary as JSON.
/// </summary>
public sealed record GpuLibraryStatus
{
    /// <summary>The soname wanted (<c>libcudnn.so.9</c>).</summary>
    public required string Soname { get; init; }

    /// <summary>What it is, in words.</summary>
    public required string Description { get; init; }

    /// <summary>False for a library whose absence is tolerated.</summary>
    public bool Required { get; init; } = true;

    /// <summary>The file found; null when none was.</summary>
    public string? Path { get; init; }

    /// <summary>Which kind of place it was found in.</summary>
    public GpuLibrarySource? Source { get; init; }

    /// <summary>The file's size in bytes (part of the environment fingerprint).</summary>
    public long? SizeBytes { get; init; }

    /// <summary>True once it was opened into this process (RTLD_GLOBAL).</summary>
    public bool Loaded { get; init; }

    /// <summary>The loader's message when the file was found but failed to load (<c>dlerror()</c>).</summary>
    public string? LoadError { get; init; }

    /// <summary>True when a file was found.</summary>
    public bool Found => Path is not null;
}
