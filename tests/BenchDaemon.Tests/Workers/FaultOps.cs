using System.Diagnostics;
using System.Reflection;
using BenchDaemon.Workloads.Models.Graph;

namespace BenchDaemon.Tests.Workers;

/// <summary>
/// The custom-operator library of Workers/Fakes/fault_ops.c, compiled once per test run with
/// <c>cc</c> against ONNX Runtime's C API header from the restored package, and one-node models
/// that call its operators: <c>Crash</c> (SIGSEGV), <c>Abort</c> (SIGABRT), <c>Hang</c> (never
/// returns) and <c>Grow</c> (allocates without bound).
/// </summary>
public static class FaultOps
{
    /// <summary>The operators' domain.</summary>
    public const string Domain = "benchdaemon.test";

    private static readonly Lazy<string> s_library = new(Build);

    /// <summary>The compiled library (absolute path).</summary>
    public static string Library => s_library.Value;

    /// <summary>Writes a model whose only node is operator <paramref name="op"/> to <paramref name="directory"/>; returns its path.</summary>
    public static string Model(string directory, string op)
    {
        var path = Path.Combine(directory, $"fault-{op.ToLowerInvariant()}.onnx");
        var bytes = new OnnxModelBuilder("fault-" + op)
            .Opset(Domain, 1)
            .Input("x", OnnxElementType.Float, 1)
            .Node(op, ["x"], ["y"], domain: Domain)
            .Output("y", OnnxElementType.Float, 1)
            .ToBytes();
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>
    /// Waits until the <c>Hang</c> operator runs in process <paramref name="pid"/>: it creates a
    /// file named after the pid in the temp directory before it sleeps for ever (one older than the
    /// process is another's that had the same pid). Removes the file.
    /// </summary>
    public static async Task WaitUntilHangingAsync(int pid, TimeSpan timeout)
    {
        var marker = Path.Combine(Path.GetTempPath(), $"benchdaemon-fault-hang-{pid.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        using var process = Process.GetProcessById(pid);
        var started = process.StartTime.ToUniversalTime().AddSeconds(-1);
        var clock = Stopwatch.StartNew();
        while (!File.Exists(marker) || File.GetLastWriteTimeUtc(marker) < started)
        {
            Assert.True(clock.Elapsed < timeout, $"process {pid} did not enter the Hang operator within {timeout}");
            await Task.Delay(50);
        }

        File.Delete(marker);
    }

    private static string Build()
    {
        var header = FindHeader() ?? throw new InvalidOperationException("onnxruntime_c_api.h not found under the NuGet package folder");
        var directory = Directory.CreateTempSubdirectory("benchdaemon-faultops-").FullName;
        var output = Path.Combine(directory, "libfault_ops.so");
        BenchDaemon.TestSupport.CCompiler.Run(directory, ["-shared", "-fPIC", "-Wall", "-Wextra", "-Werror", "-I", Path.GetDirectoryName(header)!, "-o", output, Path.Combine(AppContext.BaseDirectory, "Workers", "Fakes", "fault_ops.c")]);
        return output;
    }

    // The header ships in ONNX Runtime's NuGet packages (build/native/include or buildTransitive/native/include).
    private static string? FindHeader()
    {
        var root = typeof(FaultOps).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "NuGetPackageRoot")?.Value;
        if (string.IsNullOrEmpty(root) || !Directory.Exists(root))
        {
            return null;
        }

        return Directory.EnumerateDirectories(root, "microsoft.ml.onnxruntime*")
            .SelectMany(package => Directory.EnumerateFiles(package, "onnxruntime_c_api.h", SearchOption.AllDirectories))
            .OrderByDescending(path => path, StringComparer.Ordinal)
            .FirstOrDefault();
    }
}
