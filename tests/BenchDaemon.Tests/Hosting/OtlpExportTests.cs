using System.Net;
using System.Text;
using BenchDaemon.Telemetry;
using BenchDaemon.Tests.Support;
using BenchDaemon.Workloads.Models;
using Google.Protobuf;

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

    [Theory]
    [InlineData("Explicit")]
    [InlineData("Exponential")]
    public async Task Run_CanaryLatencyOverOtlp_ExplicitBucketsOfMetricsOrBase2Exponential(string histograms)
    {
        var port = FreePort.Next();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var model = Path.Combine(_state.Path, "mlp.onnx");
        await File.WriteAllBytesAsync(model, TinyModels.Mlp(), TestContext.Current.CancellationToken);
        var config = _state.File("otlp.json", $$"""
            { "Guards": { "DutyFraction": 1, "CpuBusyThreshold": 1 },
              "Canaries": [ { "Name": "otlp", "Model": "{{model}}", "Interval": "00:00:01", "Threads": 1,
                "Measure": { "MinIterations": 50, "MinDuration": "00:00:00.050", "MaxDuration": "00:00:00.100", "WarmupMaxDuration": "00:00:00.050" } } ] }
            """);

        await using var daemon = DaemonProcess.Start(_state.Path,
        [
            "--config", config,
            "--set", "Otlp:Enabled=true",
            "--set", "Otlp:Protocol=HttpProtobuf",
            "--set", $"Otlp:Endpoint=http://127.0.0.1:{port}",
            "--set", "Otlp:Interval=00:00:01",
            "--set", $"Otlp:Histograms={histograms}",
        ]);

        // Posts until one carries the latency histogram (after the first canary run).
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        List<Field> metric;
        do
        {
            var context = await listener.GetContextAsync().WaitAsync(timeout.Token);
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body, timeout.Token);
            context.Response.StatusCode = 200;
            context.Response.Close();
            metric = Metrics(ByteString.CopyFrom(body.ToArray())).FirstOrDefault(m => Bytes(m, 1)?.ToStringUtf8() == "benchdaemon_canary_latency") ?? [];
        }
        while (metric.Count == 0);

        if (histograms == "Explicit")
        {
            // Metric.histogram (9), not exponential_histogram (10); the bounds of /metrics.
            Assert.Null(Bytes(metric, 10));
            var point = Read(Bytes(Read(Bytes(metric, 9)!), 1)!);
            var bounds = point.Where(f => f.Number == 7).SelectMany(f => f.Bytes is { } packed ? Doubles(packed) : [BitConverter.Int64BitsToDouble((long)f.Value)]).ToList();
            Assert.Equal(TelemetryCatalogue.DefaultLatencyBuckets, bounds);
            Assert.True(Fixed(point, 4) > 0, "no calls in the data point");
        }
        else
        {
            Assert.Null(Bytes(metric, 9));
            var point = Read(Bytes(Read(Bytes(metric, 10)!), 1)!);
            var count = Fixed(point, 4);
            var zigzag = (uint)point.Single(f => f.Number == 6).Value;
            var scale = (int)(zigzag >> 1) ^ -(int)(zigzag & 1); // sint32
            var positive = Read(Bytes(point, 8)!);
            var inBuckets = positive.Where(f => f.Number == 2).SelectMany(f => f.Bytes is { } packed ? Varints(packed) : [f.Value]).Aggregate(0UL, (a, b) => a + b);
            Assert.True(count > 0, "no calls in the data point");
            Assert.Equal(count, inBuckets + (point.Any(f => f.Number == 7) ? Fixed(point, 7) : 0));
            // Scale 3 or more: neighbouring bounds at most 2^(1/8) ≈ 9 % apart, finer than any explicit default.
            Assert.InRange(scale, 3, 20);
        }
    }

    private sealed record Field(int Number, ByteString? Bytes, ulong Value);

    // ExportMetricsServiceRequest.resource_metrics (1) → ResourceMetrics.scope_metrics (2) → ScopeMetrics.metrics (2).
    private static IEnumerable<List<Field>> Metrics(ByteString request) =>
        Read(request).Where(f => f.Number == 1)
            .SelectMany(resource => Read(resource.Bytes!).Where(f => f.Number == 2))
            .SelectMany(scope => Read(scope.Bytes!).Where(f => f.Number == 2))
            .Select(metric => Read(metric.Bytes!));

    private static ByteString? Bytes(List<Field> message, int number) => message.FirstOrDefault(f => f.Number == number)?.Bytes;

    private static ulong Fixed(List<Field> message, int number) => message.Single(f => f.Number == number).Value;

    /// <summary>One level of a protobuf message, by the wire format alone (the OTLP schema's field numbers are in the callers).</summary>
    private static List<Field> Read(ByteString message)
    {
        var fields = new List<Field>();
        var input = message.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            fields.Add(WireFormat.GetTagWireType(tag) switch
            {
                WireFormat.WireType.Varint => new Field(number, null, input.ReadUInt64()),
                WireFormat.WireType.Fixed64 => new Field(number, null, input.ReadFixed64()),
                WireFormat.WireType.Fixed32 => new Field(number, null, input.ReadFixed32()),
                WireFormat.WireType.LengthDelimited => new Field(number, input.ReadBytes(), 0),
                var other => throw new InvalidDataException($"unexpected wire type {other} in field {number}"),
            });
        }

        return fields;
    }

    private static IEnumerable<double> Doubles(ByteString packed)
    {
        var input = packed.CreateCodedInput();
        while (!input.IsAtEnd)
        {
            yield return input.ReadDouble();
        }
    }

    private static IEnumerable<ulong> Varints(ByteString packed)
    {
        var input = packed.CreateCodedInput();
        while (!input.IsAtEnd)
        {
            yield return input.ReadUInt64();
        }
    }
}
