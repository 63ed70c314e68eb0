using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Workloads.Onnx;
using Microsoft.Extensions.Options;

namespace BenchDaemon.Workloads.Tests.Support;

/// <summary>
/// The test assembly's entry point when started as a child process (<c>dotnet exec
/// BenchDaemon.Workloads.Tests.dll usability CUDA_DIRECTORY PROVIDER…</c>): does what the
/// worker does before its first GPU canary — the provider usability check, which loads the
/// (fake) CUDA libraries into the process — and prints the report as JSON. Loaded libraries
/// cannot be unloaded, so this never happens in the test host. <c>runtime LIBRARY_PATH [log]</c> loads
/// ONNX Runtime from <c>OnnxRuntime:LibraryPath</c> (a process binds it once), with <c>log</c>
/// after installing <see cref="OnnxRuntimeLog"/> as the worker does. <c>ortlog …</c> is
/// <see cref="OrtLogChild"/> (ONNX Runtime's environment and its log are per process too).
/// Started any other way (by <c>dotnet test</c>, or by hand) it is the xunit v3 test program
/// and runs the tests.
/// </summary>
public static class ChildProgram
{
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args switch
        {
            ["ortlog", .. var rest] => OrtLogChild.Run(rest),
            ["runtime", var libraryPath, .. var flags] => Runtime(libraryPath, flags),
            ["usability", var directory, .. var providers] when providers.Length > 0 => Usability(directory, providers),
            ["runtime" or "usability", ..] => Usage(),
            _ => XunitEntryPoint.Run(args, SelfRegisteredExtensions.AddSelfRegisteredExtensions),
        };
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: usability CUDA_DIRECTORY PROVIDER[:DEVICE]... | runtime LIBRARY_PATH [log] | ortlog ...");
        return 2;
    }

    private static int Runtime(string libraryPath, string[] flags)
    {
        if (flags is ["log"] && !OnnxRuntimeLog.Install(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, libraryPath))
        {
            Console.Error.WriteLine("the log was not installed");
            return 1;
        }

        var runtime = new OnnxRuntimeInfo(Options.Create(new OnnxRuntimeOptions { LibraryPath = libraryPath }));
        Console.Out.WriteLine($"{runtime.Version} {string.Join(',', runtime.CompiledProviders)} {runtime.Error}");
        return 0;
    }

    private static int Usability(string directory, string[] providers)
    {
        var cuda = Options.Create(new CudaOptions { LibraryDirectory = directory });
        var checker = new ProviderUsabilityChecker(new OnnxRuntimeInfo(Options.Create(new OnnxRuntimeOptions()), cuda), cuda, Options.Create(new OnnxRuntimeOptions()), TimeProvider.System);
        var targets = providers.Select(p => p.Split(':') is [var name, var device] ? new ProviderTarget(name, int.Parse(device, System.Globalization.CultureInfo.InvariantCulture)) : new ProviderTarget(p, 0)).ToList();
        Console.Out.WriteLine(checker.Check(targets).ToJson());
        return 0;
    }
}
