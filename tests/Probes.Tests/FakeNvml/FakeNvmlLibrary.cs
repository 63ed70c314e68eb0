using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace BenchDaemon.Probes.Tests.FakeNvml;

/// <summary>
/// The fake NVML (fake_nvml.c next to this file) compiled once per test run with the machine's
/// C compiler (<c>cc</c>; scripts/test installs gcc when it is missing). The probe loads it
/// through its configured LibraryPath, i.e. through the same resolver and P/Invoke stubs as the
/// real driver library; the tests script it through its exported fake_nvml_* functions.
/// </summary>
public static unsafe class FakeNvmlLibrary
{
    // NVML return codes the tests script.
    public const int NotSupported = 3;
    public const int DriverNotLoaded = 9;

    private static readonly Lazy<string> s_path = new(Compile);
    private static readonly Lazy<nint> s_handle = new(() => NativeLibrary.Load(s_path.Value));

    /// <summary>The compiled shared library.</summary>
    public static string Path => s_path.Value;

    public static void Reset() => ((delegate* unmanaged<void>)Export("fake_nvml_reset"))();

    public static void SetCount(int count) => ((delegate* unmanaged<int, void>)Export("fake_nvml_set_count"))(count);

    public static void SetInitResult(int code) => ((delegate* unmanaged<int, void>)Export("fake_nvml_set_init_result"))(code);

    public static void Set(int gpu, string field, ulong value)
    {
        var name = Encoding.ASCII.GetBytes(field + "\0");
        fixed (byte* p = name)
        {
            Assert.Equal(0, ((delegate* unmanaged<int, byte*, ulong, int>)Export("fake_nvml_set"))(gpu, p, value));
        }
    }

    public static void SetStatus(int gpu, string field, int code)
    {
        var name = Encoding.ASCII.GetBytes(field + "\0");
        fixed (byte* p = name)
        {
            Assert.Equal(0, ((delegate* unmanaged<int, byte*, int, int>)Export("fake_nvml_set_status"))(gpu, p, code));
        }
    }

    public static void SetLost(int gpu, bool lost) => ((delegate* unmanaged<int, int, void>)Export("fake_nvml_set_lost"))(gpu, lost ? 1 : 0);

    public static void PushXid(int gpu, ulong xid) => ((delegate* unmanaged<int, ulong, void>)Export("fake_nvml_push_xid"))(gpu, xid);

    public static void AddProcess(int gpu, uint pid, ulong bytes) => ((delegate* unmanaged<int, uint, ulong, void>)Export("fake_nvml_add_process"))(gpu, pid, bytes);

    public static int InitCalls => ((delegate* unmanaged<int>)Export("fake_nvml_init_calls"))();

    public static int EnergyCalls => ((delegate* unmanaged<int>)Export("fake_nvml_energy_calls"))();

    public static bool Initialised => ((delegate* unmanaged<int>)Export("fake_nvml_initialised"))() != 0;

    private static nint Export(string name) => NativeLibrary.GetExport(s_handle.Value, name);

    private static string Compile()
    {
        var source = System.IO.Path.Combine(AppContext.BaseDirectory, "FakeNvml", "fake_nvml.c");
        var directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "benchdaemon-fake-nvml-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a leftover temp directory is harmless.
            }
        };
        var output = System.IO.Path.Combine(directory, "libnvidia-ml.so.1");
        BenchDaemon.TestSupport.CCompiler.Run(directory, ["-shared", "-fPIC", "-O1", "-Wall", "-Werror", "-Wno-unused-parameter", "-o", output, source]);

        return output;
    }
}
