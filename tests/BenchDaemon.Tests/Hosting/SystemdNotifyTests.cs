using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using BenchDaemon.Tests.Support;

namespace BenchDaemon.Tests.Hosting;

/// <summary>
/// Type=notify: started the way systemd starts a service (a parent process named
/// <c>systemd</c>, <c>SYSTEMD_EXEC_PID</c> set to the service's pid, <c>NOTIFY_SOCKET</c> a
/// datagram socket), the daemon reports READY=1 once listening and STOPPING=1 on SIGTERM.
/// </summary>
public sealed class SystemdNotifyTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Run_UnderSystemd_SendsReadyThenStopping()
    {
        var socketPath = Path.Combine(_temp.Path, "notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var port = FreePort.Next();

        // The hosting library recognises systemd by its parent's name (and, in newer
        // versions, by SYSTEMD_EXEC_PID): the parent here is a shell copied as "systemd".
        var fakeSystemd = Path.Combine(_temp.Path, "systemd");
        File.Copy("/bin/sh", fakeSystemd);
        File.SetUnixFileMode(fakeSystemd, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var info = new ProcessStartInfo(fakeSystemd) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"dotnet \"{DaemonProcess.DllPath}\" run --set Metrics:Listen=127.0.0.1:{port} --set State:Directory=\"{_temp.Path}\" --set Defaults:Canaries=false & child=$!; echo $child; wait $child; exit $?");
        info.Environment["NOTIFY_SOCKET"] = socketPath;
        using var process = Process.Start(info)!;
        var daemonPid = int.Parse(await process.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken) ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        _ = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            var ready = await ReceiveAsync(socket, TimeSpan.FromSeconds(30));
            Assert.Contains("READY=1", ready, StringComparison.Ordinal);
            using (var client = new HttpClient())
            {
                // Ready means ready: /metrics answers at once.
                var metrics = await client.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"), TestContext.Current.CancellationToken);
                Assert.Contains("benchdaemon_host_cpu_seconds_total", metrics, StringComparison.Ordinal);
            }

            Signals.Send(daemonPid, Signals.SigTerm);
            var stopping = await ReceiveAsync(socket, TimeSpan.FromSeconds(5));
            Assert.Contains("STOPPING=1", stopping, StringComparison.Ordinal);
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await process.WaitForExitAsync(exit.Token);
            Assert.True(process.ExitCode == 0, await stderr);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task<string> ReceiveAsync(Socket socket, TimeSpan timeout)
    {
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(timeout);
        var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
        return Encoding.UTF8.GetString(buffer, 0, received);
    }
}
