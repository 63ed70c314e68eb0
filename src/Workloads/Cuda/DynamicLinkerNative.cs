using System.Runtime.InteropServices;

namespace BenchDaemon.Workloads.Cuda;

/// <summary>
/// glibc's dynamic linker API. <see cref="NativeLibrary.Load(string)"/> opens libraries
/// <c>RTLD_LAZY | RTLD_LOCAL</c> and hides <c>dlerror()</c>; preloading the CUDA libraries for
/// ONNX Runtime's provider needs <c>RTLD_NOW | RTLD_GLOBAL</c> (so a missing symbol shows at
/// once, and cuDNN's sub-libraries see their siblings) and the loader's own words for a failure.
/// <c>libdl.so.2</c> exists on every glibc, as a stub forwarding to libc since glibc 2.34.
/// </summary>
internal static partial class DynamicLinkerNative
{
    private const string Library = "libdl.so.2";

    internal const int Lazy = 0x00001;
    internal const int Now = 0x00002;
    internal const int Global = 0x00100;

    [LibraryImport(Library, EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint Open(string? path, int flags);

    [LibraryImport(Library, EntryPoint = "dlerror")]
    internal static partial nint Error();

    /// <summary>
    /// Opens <paramref name="path"/> with <paramref name="flags"/>; the handle, or 0 and the
    /// loader's message (<c>libcublasLt.so.13: cannot open shared object file: …</c>).
    /// dlopen and dlerror are per-thread state; the pair runs on one thread here.
    /// </summary>
    internal static (nint Handle, string? Error) TryOpen(string path, int flags)
    {
        _ = Error();
        var handle = Open(path, flags);
        if (handle != 0)
        {
            return (handle, null);
        }

        var message = Error();
        return (0, message == 0 ? "dlopen failed" : Marshal.PtrToStringUTF8(message));
    }
}
