using System.Globalization;
using System.IO.Compression;

// cached-body: serves one captured /metrics body from memory, so ../run.sh can measure what a
// daemon that renders /metrics once (per probe tick) and hands the same bytes to every scraper
// would reach on this machine. Nothing is rendered or compressed per request.
//
//   cached-body FILE PORT
//
// GET /metrics       the body gzip-compressed (level Fastest, done once at start-up) when the
//                    request accepts gzip, as a Prometheus server's does; otherwise as it is.
// GET /metrics/plain the body as it is, whatever the request accepts.
if (args.Length != 2 || !int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
{
    Console.Error.WriteLine("usage: cached-body FILE PORT");
    return 2;
}

var plain = await File.ReadAllBytesAsync(args[0]);
byte[] gzipped;
using (var buffer = new MemoryStream())
{
    await using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
    {
        await gzip.WriteAsync(plain);
    }

    gzipped = buffer.ToArray();
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
var app = builder.Build();
app.MapGet("/metrics", context => Send(context, context.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase)));
app.MapGet("/metrics/plain", context => Send(context, gzip: false));
Console.Error.WriteLine($"cached-body: {plain.Length} bytes, {gzipped.Length} gzipped, on 127.0.0.1:{port}");
await app.RunAsync();
return 0;

Task Send(HttpContext context, bool gzip)
{
    var body = gzip ? gzipped : plain;
    context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
    if (gzip)
    {
        context.Response.Headers.ContentEncoding = "gzip";
    }

    context.Response.ContentLength = body.Length;
    return context.Response.Body.WriteAsync(body).AsTask();
}
