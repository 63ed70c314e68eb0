namespace BenchDaemon.Tests.Support;

/// <summary>Files of the repository the tests run from (shipped configuration, units).</summary>
public static class Repository
{
    /// <summary>The folder holding BenchDaemon.sln, found upwards from the test binaries.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "BenchDaemon.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("repository root (BenchDaemon.sln) not found above " + AppContext.BaseDirectory);
    }
}
