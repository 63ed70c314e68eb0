using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using BenchDaemon.Tests.Support;

namespace BenchDaemon.Tests.Deploy;

/// <summary>The shipped unit passes systemd's own checks (systemd-analyze, installed by the test command).</summary>
public sealed partial class SystemdUnitTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Verify_ShippedUnit_IsClean()
    {
        var unit = UnitPointingAtThisBuild();

        var (exitCode, output) = await RunAsync("verify", unit);

        Assert.True(exitCode == 0, output);
        Assert.Equal(string.Empty, output.Trim());
    }

    [Fact]
    public async Task Security_ShippedUnit_ExposureAtMost2Point5()
    {
        var unit = UnitPointingAtThisBuild();

        var (_, output) = await RunAsync("security", "--offline=true", unit);

        var match = Exposure().Match(output);
        Assert.True(match.Success, output);
        var exposure = double.Parse(match.Groups["score"].Value, CultureInfo.InvariantCulture);
        Assert.True(exposure <= 2.5, $"exposure {exposure}:\n{output}");
    }

    // verify checks that ExecStart exists: point it at the benchdaemon apphost of this build.
    private string UnitPointingAtThisBuild()
    {
        var shipped = File.ReadAllText(Path.Combine(Repository.Root, "deploy", "systemd", "benchdaemon.service"));
        var executable = Path.Combine(AppContext.BaseDirectory, "benchdaemon");
        Assert.True(File.Exists(executable), executable);
        return _temp.File("benchdaemon.service", shipped.Replace("/opt/benchdaemon/benchdaemon", executable, StringComparison.Ordinal));
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo("systemd-analyze") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await stdout) + (await stderr));
    }

    [GeneratedRegex(@"Overall exposure level for [^:]+: (?<score>[0-9.]+)")]
    private static partial Regex Exposure();
}
