using System.Diagnostics;
using System.Text;

namespace BenchDaemon.Tests.Support;

/// <summary>
/// The real <c>benchdaemon</c> executable in a child process (the same build the tests
/// reference), with its own state directory and a free loopback port.
/// </summary>
public sealed class DaemonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private DaemonProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public string StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>The path of the benchdaemon.dll next to the test assembly.</summary>
    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "benchdaemon.dll");

    /// <summary>
    /// Starts <c>benchdaemon run</c> with the given extra arguments and environment (from
    /// <paramref name="dllPath"/>, default <see cref="DllPath"/>, or the natively compiled
    /// <paramref name="executable"/>); a <paramref name="launcher"/> (for example <c>setpriv</c>
    /// and its options) runs <c>dotnet</c> under it.
    /// </summary>
    public static DaemonProcess Start(string stateDirectory, IEnumerable<string>? extraArgs = null, IDictionary<string, string>? environment = null, IReadOnlyList<string>? launcher = null, string? dllPath = null, string? executable = null)
    {
        var port = FreePort.Next();
        var args = new List<string>
        {
            "run",
            "--set", $"Metrics:Listen=127.0.0.1:{port}",
            "--set", $"State:Directory={stateDirectory}",
            // The built-in default canaries generate hundreds of MB of models: tests opt in explicitly.
            "--set", "Defaults:Canaries=false",
        };
        args.AddRange(extraArgs ?? []);
        var process = Launch(args, environment, launcher, dllPath, executable);
        var daemon = new DaemonProcess(process, port);
        process.OutputDataReceived += (_, e) => Append(daemon._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(daemon._stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return daemon;
    }

    /// <summary>Runs a one-shot verb to completion and returns exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null, TimeSpan? timeout = null, IReadOnlyList<string>? launcher = null, string? executable = null)
    {
        using var process = Launch(args, environment, launcher, executable: executable);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// A start of <paramref name="program"/> whose SIGHUP, SIGINT and SIGTERM are back at their
    /// defaults: a test runner started under <c>nohup</c> or in the background of a shell without
    /// job control ignores SIGHUP or SIGINT, and a child inherits that, so the signal tests would
    /// test the runner's start-up rather than the daemon. <c>env</c> execs, so the pid is the program's.
    /// </summary>
    public static ProcessStartInfo StartInfo(string program)
    {
        var info = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--default-signal=HUP,INT,TERM");
        info.ArgumentList.Add(program);
        return info;
    }

    private static Process Launch(IEnumerable<string> args, IDictionary<string, string>? environment, IReadOnlyList<string>? launcher = null, string? dllPath = null, string? executable = null)
    {
        // A natively compiled daemon is started as it is; the build the tests reference, through dotnet.
        var info = StartInfo(executable ?? (launcher is { Count: > 0 } ? launcher[0] : "dotnet"));
        if (executable is null)
        {
            if (launcher is { Count: > 0 })
            {
                foreach (var arg in launcher.Skip(1))
                {
                    info.ArgumentList.Add(arg);
                }

                info.ArgumentList.Add("dotnet");
            }

            info.ArgumentList.Add(dllPath ?? DllPath);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Keep the child independent of the developer's own settings.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("BENCHDAEMON__", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        info.Environment.Remove("INVOCATION_ID");
        info.Environment.Remove("NOTIFY_SOCKET");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
    }

    /// <summary>Polls <paramref name="path"/> until it answers 200, or fails after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForAsync(string path, TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"daemon exited with {_process.ExitCode}: {StandardError}\n{StandardOutput}");
            }

            try
            {
                using var response = await client.GetAsync(path);
                if (response.IsSuccessStatusCode)
                {
                    return await response.Content.ReadAsStringAsync();
                }
            }
            catch (HttpRequestException ex)
            {
                last = ex;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{path} did not answer within {timeout}: {last?.Message}\nstdout: {StandardOutput}\nstderr: {StandardError}");
    }

    /// <summary>Waits until standard output contains <paramref name="text"/>; throws with the output when it does not within <paramref name="timeout"/>.</summary>
    public Task WaitForOutputAsync(string text, TimeSpan timeout) =>
        WaitForOutputAsync(output => output.Contains(text, StringComparison.Ordinal), $"'{text}'", timeout);

    /// <summary>
    /// Waits until <paramref name="condition"/> holds for standard output; throws naming
    /// <paramref name="what"/>, with the output, when it does not within <paramref name="timeout"/>.
    /// </summary>
    public async Task WaitForOutputAsync(Func<string, bool> condition, string what, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(StandardOutput))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not appear within {timeout}\nstdout: {StandardOutput}\nstderr: {StandardError}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Sends <paramref name="signal"/> and waits for the exit; returns the exit code and the time it took.</summary>
    public async Task<(int ExitCode, TimeSpan Elapsed)> StopAsync(int signal, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        Signals.Send(_process.Id, signal);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"daemon did not exit within {timeout} of signal {signal}\nstdout: {StandardOutput}\nstderr: {StandardError}");
        }

        return (_process.ExitCode, watch.Elapsed);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (builder)
        {
            builder.AppendLine(line);
        }
    }
}
