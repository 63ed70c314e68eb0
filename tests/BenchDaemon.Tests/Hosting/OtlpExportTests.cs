using System.Net;
using System.Text;
using BenchDaemon.Tests.Support;

namespace BenchDaemon.Tests.Hosting;

/// <summary>The daemon pushes the same catalogue over OTLP/HTTP to a collector stand-in.</summary>
public sealed class OtlpExportTests : IDisposable
{
    private readonly TempDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task Run_OtlpEnabled_PostsCatalogueMetricsWithHeaders()
    {
        var port = FreePort.Next();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();

        await using var daemon = DaemonProcess.Start(_state.Path,
        [
            "--set", "Otlp:Enabled=true",
            "--set", "Otlp:Protocol=HttpProtobuf",
            "--set", $"Otlp:Endpoint=http://127.0.0.1:{port}",
            "--set", "Otlp:Interval=00:00:01",
            "--set", "Otlp:Headers:x-api-key=s3cret",
        ]);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        HttpListenerContext context;
        using var body = new MemoryStream();
        // An export that fires before the first probe sample carries no host series yet (seen
        // on a loaded machine): take the first one that has them.
        do
        {
            context = await listener.GetContextAsync().WaitAsync(timeout.Token);
            body.SetLength(0);
            await context.Request.InputStream.CopyToAsync(body, timeout.Token);
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
        while (!Encoding.UTF8.GetString(body.ToArray()).Contains("benchdaemon_host_cpu", StringComparison.Ordinal));

        Assert.Equal("POST", context.Request.HttpMethod);
        Assert.Equal("/v1/metrics", context.Request.Url!.AbsolutePath);
        Assert.Equal("application/x-protobuf", context.Request.ContentType);
        Assert.Equal("s3cret", context.Request.Headers["x-api-key"]);
        // Protobuf carries names as plain UTF-8 strings.
        var payload = Encoding.UTF8.GetString(body.ToArray());
        Assert.Contains("benchdaemon_host_cpu", payload, StringComparison.Ordinal);
        Assert.Contains("benchdaemon_host_memory_total", payload, StringComparison.Ordinal);
        Assert.Contains("benchdaemon_build", payload, StringComparison.Ordinal);
        Assert.Contains("benchdaemon", payload, StringComparison.Ordinal); // service.name resource
    }
}
