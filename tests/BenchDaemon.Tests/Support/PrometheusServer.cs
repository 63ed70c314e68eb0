using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace BenchDaemon.Tests.Support;

/// <summary>
/// A real Prometheus server (Debian's <c>prometheus</c> package, which the project's test command
/// installs with promtool) on a free loopback port, with its own configuration and storage.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _directory;
    private readonly StringBuilder _log = new();
    private readonly HttpClient _client;

    private PrometheusServer(Process process, TempDirectory directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
        _client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    /// <summary>Everything the server logged so far (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static string BinaryPath =>
        Environment.GetEnvironmentVariable("PROMETHEUS") is { Length: > 0 } configured
            ? configured
            : new[] { "/usr/bin/prometheus", "/usr/local/bin/prometheus" }.FirstOrDefault(File.Exists)
              ?? throw new InvalidOperationException("prometheus not found: run the README's test command (scripts/test), which installs Debian's prometheus package, or set PROMETHEUS.");

    /// <summary>
    /// Starts Prometheus with <paramref name="configuration"/> (YAML; rule file paths absolute)
    /// and waits until it is ready.
    /// </summary>
    public static async Task<PrometheusServer> StartAsync(string configuration, TimeSpan timeout)
    {
        var directory = new TempDirectory();
        var config = directory.File("prometheus.yml", configuration);
        var port = FreePort.Next();
        var info = new ProcessStartInfo(BinaryPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add($"--config.file={config}");
        info.ArgumentList.Add($"--storage.tsdb.path={Path.Combine(directory.Path, "data")}");
        info.ArgumentList.Add($"--web.listen-address=127.0.0.1:{port}");
        info.ArgumentList.Add("--log.level=warn");
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start prometheus");
        var server = new PrometheusServer(process, directory, port);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitReadyAsync(timeout);
        return server;
    }

    /// <summary>A range query over the last <paramref name="window"/>; throws with Prometheus' error if it fails.</summary>
    public async Task<JsonElement> QueryRangeAsync(string expression, TimeSpan window, TimeSpan step)
    {
        var end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        return await PostAsync("/api/v1/query_range", new Dictionary<string, string>
        {
            ["query"] = expression,
            ["start"] = (end - window.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            ["end"] = end.ToString(CultureInfo.InvariantCulture),
            ["step"] = step.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        });
    }

    /// <summary>An instant query now; throws with Prometheus' error if it fails.</summary>
    public Task<JsonElement> QueryAsync(string expression) =>
        PostAsync("/api/v1/query", new Dictionary<string, string> { ["query"] = expression });

    /// <summary>Values of <paramref name="label"/> on series matching <paramref name="selector"/> (Grafana's label_values).</summary>
    public async Task<IReadOnlyList<string>> LabelValuesAsync(string label, string? selector)
    {
        var path = $"/api/v1/label/{Uri.EscapeDataString(label)}/values" + (selector is null ? string.Empty : "?match[]=" + Uri.EscapeDataString(selector));
        var data = await GetAsync(path);
        return data.EnumerateArray().Select(v => v.GetString()!).ToList();
    }

    /// <summary>The rule groups as /api/v1/rules reports them.</summary>
    public Task<JsonElement> RulesAsync() => GetAsync("/api/v1/rules");

    /// <summary>The active (pending or firing) alerts.</summary>
    public Task<JsonElement> AlertsAsync() => GetAsync("/api/v1/alerts");

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _directory.Dispose();
    }

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with {_process.ExitCode}:\n{Log}");
            }

            try
            {
                using var response = await _client.GetAsync("/-/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"prometheus was not ready within {timeout}:\n{Log}");
    }

    private async Task<JsonElement> GetAsync(string path)
    {
        using var response = await _client.GetAsync(path);
        return await DataAsync(path, response);
    }

    private async Task<JsonElement> PostAsync(string path, Dictionary<string, string> form)
    {
        using var content = new FormUrlEncodedContent(form);
        using var response = await _client.PostAsync(path, content);
        return await DataAsync($"{path} {form.GetValueOrDefault("query")}", response);
    }

    private static async Task<JsonElement> DataAsync(string what, HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!response.IsSuccessStatusCode || body.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException($"{what}: HTTP {(int)response.StatusCode}: {body}");
        }

        return body.GetProperty("data").Clone();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
