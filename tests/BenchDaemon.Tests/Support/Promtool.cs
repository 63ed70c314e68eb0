using System.Diagnostics;

namespace BenchDaemon.Tests.Support;

/// <summary>Runs Prometheus' <c>promtool</c>, which the project's test command installs when missing.</summary>
public static class Promtool
{
    public static string Path =>
        Environment.GetEnvironmentVariable("PROMTOOL") is { Length: > 0 } configured
            ? configured
            : new[] { "/usr/bin/promtool", "/usr/local/bin/promtool" }.FirstOrDefault(File.Exists)
              ?? throw new InvalidOperationException("promtool not found: run the README's test command (scripts/test), which installs Debian's prometheus package, or set PROMTOOL.");

    /// <summary>Runs promtool with <paramref name="args"/>, feeding <paramref name="stdin"/>.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string stdin, params string[] args)
    {
        var info = new ProcessStartInfo(Path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await stdout) + (await stderr));
    }
}
