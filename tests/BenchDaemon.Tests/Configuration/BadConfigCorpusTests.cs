using System.Diagnostics;
using System.Text;
using BenchDaemon.Cli;
using BenchDaemon.Configuration;
using BenchDaemon.Tests.Support;

namespace BenchDaemon.Tests.Configuration;

/// <summary>
/// The bad-input corpus: every file under BadConfigs/ is a malformed or hostile configuration
/// whose first line says what the one error line must contain. Each goes through the real CLI
/// (<c>config check --config F</c>) and must end with exit 78 and one line naming the key; a
/// sample goes through a real <c>benchdaemon run</c> process too. Cases that need a file made
/// at run time (huge, FIFO, device, unreadable, not UTF-8) are generated here.
/// </summary>
public sealed class BadConfigCorpusTests : IDisposable
{
    private const string ExpectPrefix = "// expect: ";
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string CorpusDirectory => Path.Combine(Repository.Root, "tests", "BenchDaemon.Tests", "Configuration", "BadConfigs");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(CorpusDirectory, "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    /// <summary>
    /// Every fourth file of the corpus, for the slower real-process check — but not the ones
    /// about <c>Metrics:Listen</c>: that check sets its own free port, which would make them valid.
    /// </summary>
    public static TheoryData<string> Sample()
    {
        var data = new TheoryData<string>();
        var files = Directory.GetFiles(CorpusDirectory, "*.json").Order(StringComparer.Ordinal)
            .Where(f => !File.ReadLines(f).First().Contains("expect: Metrics:Listen", StringComparison.Ordinal));
        foreach (var (file, index) in files.Select((f, i) => (f, i)))
        {
            if (index % 4 == 0)
            {
                data.Add(Path.GetFileName(file));
            }
        }

        return data;
    }

    [Fact]
    public void Corpus_HasAtLeastFortyCases()
    {
        Assert.True(Files().Count >= 40, $"{Files().Count} files");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task ConfigCheck_CorpusFile_Exits78WithOneLineNamingTheKey(string name)
    {
        var (path, expected) = Case(name);

        var (exitCode, stdout, stderr) = await InvokeAsync(["config", "check", "--config", path, .. StateFor(path)]);

        AssertRejected(exitCode, stdout, stderr, expected);
    }

    [Theory]
    [MemberData(nameof(Sample))]
    public async Task RunProcess_CorpusFile_Exits78WithOneLineNamingTheKey(string name)
    {
        var (path, expected) = Case(name);

        var (exitCode, stdout, stderr) = await DaemonProcess.RunAsync(
            ["run", "--config", path, .. StateFor(path), "--set", $"Metrics:Listen=127.0.0.1:{FreePort.Next()}"]);

        AssertRejected(exitCode, stdout, stderr, expected);
    }

    [Fact]
    public async Task ConfigCheck_FileOverTheSizeLimit_Exits78NamingTheLimit()
    {
        // Valid JSON, only too big: a comment padded past 1 MiB.
        var path = Path.Combine(_temp.Path, "huge.json");
        await File.WriteAllTextAsync(path, "{ \"Metrics\": { \"Listen\": \":9847\" } }\n// " + new string('x', ConfigurationLoader.MaxFileBytes) + "\n", TestContext.Current.CancellationToken);

        var (exitCode, stdout, stderr) = await InvokeAsync("config", "check", "--config", path, "--set", $"State:Directory={_temp.Path}");

        AssertRejected(exitCode, stdout, stderr, $"{path}: configuration file is {new FileInfo(path).Length} bytes; the limit is 1048576 (1 MiB)");
    }

    [Fact]
    public async Task ConfigCheck_Fifo_Exits78InsteadOfBlocking()
    {
        var path = Path.Combine(_temp.Path, "config.fifo");
        using (var mkfifo = Process.Start("mkfifo", [path]))
        {
            await mkfifo.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var run = InvokeAsync("config", "check", "--config", path, "--set", $"State:Directory={_temp.Path}");
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken));

        Assert.Same(run, finished);
        var (exitCode, stdout, stderr) = await run;
        AssertRejected(exitCode, stdout, stderr, "the file is empty (or not a regular file)");
    }

    [Fact]
    public async Task ConfigCheck_DevZero_Exits78InsteadOfReadingForever()
    {
        var (exitCode, stdout, stderr) = await InvokeAsync("config", "check", "--config", "/dev/zero", "--set", $"State:Directory={_temp.Path}");

        AssertRejected(exitCode, stdout, stderr, "/dev/zero: malformed JSON");
    }

    [Fact]
    public async Task ConfigCheck_Utf16File_Exits78()
    {
        var path = Path.Combine(_temp.Path, "utf16.json");
        await File.WriteAllTextAsync(path, "{ \"Metrics\": { \"Listen\": \":9847\" } }", Encoding.Unicode, TestContext.Current.CancellationToken);

        var (exitCode, stdout, stderr) = await InvokeAsync("config", "check", "--config", path, "--set", $"State:Directory={_temp.Path}");

        AssertRejected(exitCode, stdout, stderr, $"{path}: malformed JSON");
    }

    [Fact]
    public async Task ConfigCheck_RandomBytes_Exits78()
    {
        var path = Path.Combine(_temp.Path, "random.json");
        var bytes = new byte[4096];
        new Random(78).NextBytes(bytes);
        await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);

        var (exitCode, stdout, stderr) = await InvokeAsync("config", "check", "--config", path, "--set", $"State:Directory={_temp.Path}");

        AssertRejected(exitCode, stdout, stderr, $"{path}: malformed JSON");
    }

    [Fact]
    public async Task RunProcess_UnreadableFile_Exits78()
    {
        var path = _temp.File("unreadable.json", "{ }");
        File.SetUnixFileMode(path, UnixFileMode.None);
        File.SetUnixFileMode(_temp.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                          | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);

        // Root reads any file: run the check as nobody then (setpriv, util-linux), so the case
        // is exercised wherever the suite runs.
        var asNobody = Environment.UserName == "root";
        var args = new List<string>();
        if (asNobody)
        {
            args.AddRange(["--reuid=65534", "--regid=65534", "--clear-groups", "dotnet"]);
        }

        args.AddRange([DaemonProcess.DllPath, "config", "check", "--config", path, "--set", "State:Directory=/tmp", "--set", "Logs:File=false"]);
        var info = new ProcessStartInfo(asNobody ? "setpriv" : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        args.ForEach(info.ArgumentList.Add);
        info.Environment["DOTNET_CLI_HOME"] = "/tmp";
        info.Environment["HOME"] = "/tmp";
        info.Environment["XDG_STATE_HOME"] = "/tmp";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        AssertRejected(process.ExitCode, await stdout, await stderr, $"{path}: configuration file is not readable by this user");
    }

    private static void AssertRejected(int exitCode, string stdout, string stderr, string expected)
    {
        Assert.True(exitCode == ExitCodes.Config, $"exit {exitCode}\nstdout: {stdout}\nstderr: {stderr}");
        Assert.Equal(string.Empty, stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("benchdaemon: configuration error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", line, StringComparison.Ordinal);
    }

    private static (string Path, string Expected) Case(string name)
    {
        var path = Path.Combine(CorpusDirectory, name);
        var first = File.ReadLines(path).First();
        Assert.StartsWith(ExpectPrefix, first, StringComparison.Ordinal);
        return (path, first[ExpectPrefix.Length..].Trim());
    }

    // Files that set State themselves keep it; the rest share a valid temporary directory.
    private string[] StateFor(string path) =>
        File.ReadAllText(path).Contains("\"State\"", StringComparison.Ordinal) ? [] : ["--set", $"State:Directory={_temp.Path}"];

    private static async Task<(int ExitCode, string Stdout, string Stderr)> InvokeAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await BenchDaemonCli.InvokeAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}
