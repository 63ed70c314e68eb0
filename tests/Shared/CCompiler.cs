using System.Diagnostics;

namespace BenchDaemon.TestSupport;

/// <summary>
/// Runs the machine's C compiler (<c>cc</c>, Debian's gcc, which scripts/test installs) for the
/// fake native libraries the tests load: NVML, the CUDA driver and libraries, ONNX Runtime
/// custom operators. Linked into each test project.
/// </summary>
internal static class CCompiler
{
    /// <summary>Runs <c>cc</c> with <paramref name="args"/> in <paramref name="directory"/>; throws with the compiler's errors when it fails.</summary>
    public static void Run(string directory, IEnumerable<string> args)
    {
        var arguments = args.ToList();
        var info = new ProcessStartInfo("cc")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        arguments.ForEach(info.ArgumentList.Add);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("cc did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("a C compiler is needed to build the tests' fake native libraries: 'cc' was not found (scripts/test installs Debian's gcc)", ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            _ = stdout.Result;
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"cc {string.Join(' ', arguments)} failed with {process.ExitCode}: {stderr}");
            }
        }
    }
}
