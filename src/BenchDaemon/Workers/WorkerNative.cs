using System.Runtime.InteropServices;

namespace BenchDaemon.Workers;

/// <summary>The few libc calls a worker needs to own its file descriptors and to die with its daemon.</summary>
internal static partial class WorkerNative
{
    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    public static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    public static partial int Dup2(int fd, int target);

    [LibraryImport("libc", EntryPoint = "getppid")]
    public static partial int GetParentProcessId();

    /// <summary>glibc: returns the free memory at the top of every malloc arena to the system; 1 when any was.</summary>
    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    public static partial int MallocTrim(nuint pad);

    /// <summary>Ends the process at once: no managed shutdown, which a thread stuck in native code could block.</summary>
    [LibraryImport("libc", EntryPoint = "_exit")]
    public static partial void Exit(int status);
}
