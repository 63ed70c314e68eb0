using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace BenchDaemon.TestSupport;

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

    private static readonly Lazy<string> s_path = new(() => Compile("libnvidia-ml.so.1", []));
    private static readonly Lazy<string> s_oldDriverPath = new(() => Compile(System.IO.Path.Combine("old-driver", "libnvidia-ml.so.1"), ["-DFAKE_NVML_OLD_DRIVER"]));
    private static readonly Lazy<nint> s_handle = new(() => NativeLibrary.Load(s_path.Value));

    /// <summary>The compiled shared library.</summary>
    public static string Path => s_path.Value;

    /// <summary>
    /// The same fake without the GPM, NVLink, MIG, field-value and process-utilisation entry points, as an old
    /// driver: for child processes only (this process binds its P/Invoke stubs to <see cref="Path"/>).
    /// </summary>
    public static string OldDriverPath => s_oldDriverPath.Value;

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

    public static void SetGpm(int gpu, int metric, double value) => Assert.Equal(0, ((delegate* unmanaged<int, int, double, int>)Export("fake_nvml_set_gpm"))(gpu, metric, value));

    public static void SetGpmStatus(int gpu, int metric, int code) => Assert.Equal(0, ((delegate* unmanaged<int, int, int, int>)Export("fake_nvml_set_gpm_status"))(gpu, metric, code));

    /// <summary>Emulates a driver built against a header whose GPM metrics array held <paramref name="entries"/> entries.</summary>
    public static void SetGpmMax(int entries) => ((delegate* unmanaged<int, void>)Export("fake_nvml_set_gpm_max"))(entries);

    /// <summary>GPM sample buffers allocated and not yet freed.</summary>
    public static int GpmSamplesLive => ((delegate* unmanaged<int>)Export("fake_nvml_gpm_samples_live"))();

    public static int GpmSampleCalls => ((delegate* unmanaged<int>)Export("fake_nvml_gpm_sample_calls"))();

    /// <summary>sizeof(nvmlGpmMetric_t), sizeof(nvmlGpmMetricsGet_t) and offsetof(metrics) as the C compiler lays them out.</summary>
    public static (int Metric, int MetricsGet, int MetricsOffset) GpmLayout => (
        ((delegate* unmanaged<int>)Export("fake_nvml_gpm_metric_size"))(),
        ((delegate* unmanaged<int>)Export("fake_nvml_gpm_metrics_get_size"))(),
        ((delegate* unmanaged<int>)Export("fake_nvml_gpm_metrics_offset"))());

    public static void SetProcessUtilization(int gpu, uint pid, uint smPercent, uint memoryPercent) =>
        Assert.Equal(0, ((delegate* unmanaged<int, uint, uint, uint, int>)Export("fake_nvml_set_process_util"))(gpu, pid, smPercent, memoryPercent));

    public static void RemoveProcess(int gpu, uint pid) => ((delegate* unmanaged<int, uint, void>)Export("fake_nvml_remove_process"))(gpu, pid);

    public static void AddMig(int gpu, int gpuInstance, int computeInstance, string profile, ulong usedBytes, ulong totalBytes)
    {
        var name = Encoding.ASCII.GetBytes(profile + "\0");
        fixed (byte* p = name)
        {
            Assert.Equal(0, ((delegate* unmanaged<int, int, int, byte*, ulong, ulong, int>)Export("fake_nvml_add_mig"))(gpu, gpuInstance, computeInstance, p, usedBytes, totalBytes));
        }
    }

    public static int InitCalls => ((delegate* unmanaged<int>)Export("fake_nvml_init_calls"))();

    public static int EnergyCalls => ((delegate* unmanaged<int>)Export("fake_nvml_energy_calls"))();

    public static bool Initialised => ((delegate* unmanaged<int>)Export("fake_nvml_initialised"))() != 0;

    private static nint Export(string name) => NativeLibrary.GetExport(s_handle.Value, name);

    private static string Compile(string name, string[] defines)
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
        var output = System.IO.Path.Combine(directory, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(output)!);
        BenchDaemon.TestSupport.CCompiler.Run(directory, ["-shared", "-fPIC", "-O1", "-Wall", "-Werror", "-Wno-unused-parameter", .. defines, "-o", output, source]);

        return output;
    }
}
