using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using BenchDaemon.Hosting;
using BenchDaemon.Tests.Support;

namespace BenchDaemon.Tests.Security;

/// <summary>
/// The scan of the Done-when item: a few hundred malformed and hostile requests against a
/// running daemon; none may get a 5xx (an unhandled exception), none may read a file, and the
/// daemon must still serve /metrics and /healthz afterwards.
/// </summary>
public sealed class ScrapeEndpointScanTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task Scan_HostileRequests_NoServerErrorNoCrashStillServing()
    {
        await using var daemon = DaemonProcess.Start(_state.Path);
        await daemon.WaitForAsync("/metrics", TimeSpan.FromSeconds(30));
        var cases = HostileRequests.All(seed: 20261122, mutations: 220);
        var outcomes = new ConcurrentBag<(string Name, string Outcome, string Head)>();

        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (item, _) =>
        {
            var (outcome, head) = await SendAsync(daemon.Port, item.Bytes);
            outcomes.Add((item.Name, outcome, head));
        });

        var summary = outcomes.GroupBy(o => o.Outcome).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key}: {g.Count()}");
        output.WriteLine($"{cases.Count} hostile requests: {string.Join(", ", summary)}");

        Assert.True(cases.Count >= 300, $"{cases.Count} cases");
        foreach (var named in outcomes.Where(o => !o.Name.StartsWith("mutation", StringComparison.Ordinal)).OrderBy(o => o.Name, StringComparer.Ordinal))
        {
            output.WriteLine($"  {named.Name}: {named.Outcome}");
        }

        // 505 (HTTP version not supported) and 501 (transfer coding not implemented) are
        // Kestrel's protocol answers; any other 5xx would be an unhandled exception.
        var serverErrors = outcomes.Where(o => o.Outcome.StartsWith('5') && o.Outcome is not ("505" or "501")).ToList();
        Assert.True(serverErrors.Count == 0, "5xx for: " + string.Join("; ", serverErrors.Select(e => $"{e.Name} → {e.Head}")));
        // Nothing outside the three routes is ever served, whatever the path spelling.
        var leaked = outcomes.Where(o => o.Head.Contains("root:", StringComparison.Ordinal) || o.Head.Contains("[core]", StringComparison.Ordinal)).ToList();
        Assert.Empty(leaked);
        var traversals = outcomes.Where(o => o.Name.StartsWith("path /", StringComparison.Ordinal) && o.Name.Contains("passwd", StringComparison.Ordinal));
        Assert.All(traversals, t => Assert.NotEqual("200", t.Outcome));
        Assert.Equal("200", outcomes.Single(o => o.Name == "valid scrape").Outcome);

        Assert.False(daemon.HasExited, daemon.StandardError);
        Assert.Contains("benchdaemon_build_info", await daemon.WaitForAsync("/metrics", TimeSpan.FromSeconds(5)), StringComparison.Ordinal);
        await daemon.WaitForAsync("/healthz", TimeSpan.FromSeconds(5));
        Assert.DoesNotContain("Unhandled", daemon.StandardOutput + daemon.StandardError, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Slowloris_TrickledHeaders_ConnectionClosedByHeaderTimeout_OthersStillServed()
    {
        await using var daemon = DaemonProcess.Start(_state.Path);
        await daemon.WaitForAsync("/metrics", TimeSpan.FromSeconds(30));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, daemon.Port, TestContext.Current.CancellationToken);
        var stream = tcp.GetStream();
        var watch = Stopwatch.StartNew();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /metrics HTTP/1.1\r\nHost: a\r\n"), TestContext.Current.CancellationToken);

        var closed = false;
        var served = false;
        var buffer = new byte[4096];
        var reading = stream.ReadAsync(buffer, TestContext.Current.CancellationToken).AsTask();
        for (var i = 0; i < 30 && !closed; i++)
        {
            if (await Task.WhenAny(reading, Task.Delay(1000, TestContext.Current.CancellationToken)) == reading)
            {
                closed = true; // Kestrel answers 408 or just closes; either way the connection ends.
                break;
            }

            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"X-Slow-{i}: {i}\r\n")), TestContext.Current.CancellationToken);
            }
            catch (IOException)
            {
                closed = true;
            }

            served |= (await daemon.WaitForAsync("/metrics", TimeSpan.FromSeconds(5))).Length > 0;
        }

        var elapsed = watch.Elapsed;
        Assert.True(closed, "connection still open after 30 s of trickled headers");
        Assert.InRange(elapsed, KestrelLimits.HeadersTimeout - TimeSpan.FromSeconds(1), KestrelLimits.HeadersTimeout + TimeSpan.FromSeconds(5));
        Assert.True(served);
    }

    [Fact]
    public async Task ConnectionFlood_BeyondTheLimit_RefusedThenServedAgain()
    {
        await using var daemon = DaemonProcess.Start(_state.Path);
        await daemon.WaitForAsync("/metrics", TimeSpan.FromSeconds(30));
        var idle = new List<TcpClient>();
        try
        {
            for (var i = 0; i < KestrelLimits.MaxConnections + 16; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, daemon.Port, TestContext.Current.CancellationToken);
                idle.Add(client);
            }

            // Over the limit, Kestrel closes new connections at once: a scrape now fails.
            var (outcome, _) = await SendAsync(daemon.Port, Encoding.ASCII.GetBytes("GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n"));
            Assert.NotEqual("200", outcome);
        }
        finally
        {
            foreach (var client in idle)
            {
                client.Dispose();
            }
        }

        Assert.Contains("benchdaemon_build_info", await daemon.WaitForAsync("/metrics", TimeSpan.FromSeconds(10)), StringComparison.Ordinal);
    }

    /// <summary>
    /// Sends <paramref name="bytes"/> and reads the start of the answer: the status code,
    /// "closed" (no answer), or "waiting" (an incomplete request: the server waits for the rest,
    /// until its header timeout).
    /// </summary>
    internal static async Task<(string Outcome, string Head)> SendAsync(int port, byte[] bytes)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var stream = tcp.GetStream();
        try
        {
            // No half-close after it: Kestrel takes a FIN as the client going away and answers nothing.
            if (bytes.Length > 0)
            {
                await stream.WriteAsync(bytes);
            }
        }
        catch (IOException)
        {
            // The server may close while we still write (limits hit): read what it said.
        }
        catch (SocketException)
        {
        }

        var received = new MemoryStream();
        var buffer = new byte[8192];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            int read;
            while (received.Length < 64 * 1024 && (read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
                // The status line and headers are all the scan looks at; a kept-alive connection would wait for more.
                if (received.GetBuffer().AsSpan(0, (int)received.Length).IndexOf("\r\n\r\n"u8) >= 0)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            if (received.Length == 0)
            {
                return ("waiting", string.Empty);
            }
        }
        catch (IOException)
        {
            // Connection reset after a 4xx: the status line, if any, was read already.
        }

        var head = Encoding.Latin1.GetString(received.GetBuffer(), 0, (int)Math.Min(received.Length, 4096));
        if (head.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && head.Length >= 12)
        {
            return (head.Substring(9, 3), head);
        }

        return (received.Length == 0 ? "closed" : "other", head);
    }
}
