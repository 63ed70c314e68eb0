namespace BenchDaemon.Workers;

/// <summary>How to start a worker: this executable with the internal verb.</summary>
/// <param name="FileName">The program: the <c>benchdaemon</c> executable, or <c>dotnet</c>.</param>
/// <param name="Prefix">Arguments before the verb (the assembly path when started through <c>dotnet</c>).</param>
public sealed record WorkerCommand(string FileName, IReadOnlyList<string> Prefix)
{
    /// <summary>
    /// The command that starts this build of BenchDaemon: the apphost or single-file binary that
    /// runs now, or <c>dotnet benchdaemon.dll</c> when the assembly runs under the .NET host
    /// (<c>dotnet benchdaemon.dll</c>, or a test host that loaded it).
    /// </summary>
    public static WorkerCommand Current()
    {
        var process = Environment.ProcessPath;
        var self = typeof(WorkerCommand).Assembly.Location;
        if (process is not null && (string.IsNullOrEmpty(self)
                                    || string.Equals(Path.GetFileNameWithoutExtension(process), Path.GetFileNameWithoutExtension(self), StringComparison.Ordinal)))
        {
            return new WorkerCommand(process, []);
        }

        if (string.IsNullOrEmpty(self))
        {
            throw new InvalidOperationException("The path of the running executable is unknown; workers cannot be started.");
        }

        return ForAssembly(self);
    }

    /// <summary>Through <c>dotnet</c> for an assembly path (tests start the built <c>benchdaemon.dll</c>).</summary>
    public static WorkerCommand ForAssembly(string assemblyPath) =>
        new(Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet"
            ? p
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet",
            [assemblyPath]);
}
