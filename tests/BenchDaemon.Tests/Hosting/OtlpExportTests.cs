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

        // The first export can come before the first probe sample (a loaded machine): take
        // posts until one carries the host series, for at most 30 s.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        HttpListenerRequest request;
        string payload;
        do
        {
            var context = await listener.GetContextAsync().WaitAsync(timeout.Token);
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body, timeout.Token);
            context.Response.StatusCode = 200;
            context.Response.Close();
            request = context.Request;
            // Protobuf carries names as plain UTF-8 strings.
            payload = Encoding.UTF8.GetString(body.ToArray());
        }
        while (!payload.Contains("benchdaemon_host_memory_total", StringComparison.Ordinal));

        Assert.Equal("POST", request.HttpMethod);
        Assert.Equal("/v1/metrics", request.Url!.AbsolutePath);
        Assert.Equal("application/x-protobuf", request.ContentType);
        Assert.Equal("s3cret", request.Headers["x-api-key"]);
        Assert.Contains("benchdaemon_host_cpu", payload, StringComparison.Ordinal);
        Assert.Contains("benchdaemon_build", payload, StringComparison.Ordinal);
        Assert.Contains("benchdaemon", payload, StringComparison.Ordinal); // service.name resource
    }
}
