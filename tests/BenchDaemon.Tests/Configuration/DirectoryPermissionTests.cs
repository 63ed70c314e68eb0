using BenchDaemon.Cli;
using BenchDaemon.Configuration;
using BenchDaemon.Tests.Support;

namespace BenchDaemon.Tests.Configuration;

/// <summary>State and log directories that BenchDaemon creates are its owner's only (0700).</summary>
public sealed class DirectoryPermissionTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ConfigCheck_NewStateAndLogDirectories_CreatedOwnerOnly()
    {
        var state = Path.Combine(_temp.Path, "parent", "state");
        var logs = Path.Combine(_temp.Path, "elsewhere", "logs");

        var exitCode = await BenchDaemonCli.InvokeAsync(["config", "check", "--set", $"State:Directory={state}", "--set", $"Logs:Directory={logs}"], TextWriter.Null, TextWriter.Null, TestContext.Current.CancellationToken);

        Assert.Equal(0, exitCode);
        // The directories themselves; missing parents get the process's default mode.
        foreach (var directory in new[] { state, logs })
        {
            Assert.Equal(WritableDirectory.OwnerOnly, File.GetUnixFileMode(directory));
        }
    }

    [Fact]
    public void Check_ExistingDirectory_KeepsItsMode()
    {
        var existing = Directory.CreateDirectory(Path.Combine(_temp.Path, "shared")).FullName;
        File.SetUnixFileMode(existing, (UnixFileMode)Convert.ToInt32("755", 8));

        Assert.Null(WritableDirectory.Check(existing));

        Assert.Equal((UnixFileMode)Convert.ToInt32("755", 8), File.GetUnixFileMode(existing));
    }
}
