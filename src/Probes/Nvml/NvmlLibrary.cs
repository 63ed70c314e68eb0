using System.Reflection;
using System.Runtime.InteropServices;

namespace BenchDaemon.Probes.Nvml;

/// <summary>
/// Finds and loads the NVML shared library for <see cref="NvmlNative"/>. The driver installs
/// only the versioned soname <c>libnvidia-ml.so.1</c> (the unversioned name comes with the
/// development package), so that is what is loaded unless a path is configured.
/// </summary>
/// <remarks>
/// The runtime binds each P/Invoke once per process, so the library is chosen once: the first
/// successful <see cref="TryLoad"/> fixes it, and a later request for another path is refused
/// with a message rather than silently served by the first library.
/// </remarks>
public static class NvmlLibrary
{
    /// <summary>The soname the NVIDIA driver installs.</summary>
    public const string DefaultName = "libnvidia-ml.so.1";

    private static readonly Lock s_lock = new();
    private static nint s_handle;
    private static string? s_loadedFrom;
    private static bool s_resolverSet;

    /// <summary>Where the loaded library came from; null before the first successful load.</summary>
    public static string? LoadedFrom
    {
        get
        {
            lock (s_lock)
            {
                return s_loadedFrom;
            }
        }
    }

    /// <summary>
    /// Loads NVML from <paramref name="path"/> (or the driver's soname when null or empty).
    /// Returns false with a one-line reason when it cannot be loaded; never throws.
    /// </summary>
    public static bool TryLoad(string? path, out string? error)
    {
        var wanted = string.IsNullOrWhiteSpace(path) ? DefaultName : path;
        lock (s_lock)
        {
            // A configured path is checked first: "does not exist" is a clearer message than dlopen's.
            if (wanted.Contains('/', StringComparison.Ordinal) && !File.Exists(wanted))
            {
                error = $"NVML library {wanted} does not exist";
                return false;
            }

            if (s_handle != 0)
            {
                if (string.Equals(wanted, s_loadedFrom, StringComparison.Ordinal))
                {
                    error = null;
                    return true;
                }

                error = $"NVML was already loaded from {s_loadedFrom} in this process; loading {wanted} needs a restart";
                return false;
            }

            if (!NativeLibrary.TryLoad(wanted, out var handle))
            {
                error = wanted == DefaultName
                    ? $"NVML library {DefaultName} not found (no NVIDIA driver installed, or its libraries are not on the loader path; set Probes:Gpu:LibraryPath)"
                    : $"NVML library {wanted} could not be loaded (not a shared library for this architecture, or a dependency is missing)";
                return false;
            }

            if (!s_resolverSet)
            {
                NativeLibrary.SetDllImportResolver(typeof(NvmlLibrary).Assembly, Resolve);
                s_resolverSet = true;
            }

            s_handle = handle;
            s_loadedFrom = wanted;
            error = null;
            return true;
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != NvmlNative.LibraryName)
        {
            return 0; // Not ours: the runtime's default probing.
        }

        lock (s_lock)
        {
            return s_handle;
        }
    }
}
