using System.Net;

namespace BenchDaemon.Tests.Support;

/// <summary>
/// An OTLP/HTTP collector stand-in on a fixed loopback port that can be taken down (the port
/// refuses connections) and brought back up, as a collector restart does. It answers every
/// request with 200 and counts the posts it received.
/// </summary>
public sealed class OtlpCollector : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private HttpListener? _listener;
    private Task? _loop;
    private long _posts;

    public OtlpCollector(int port)
    {
        Port = port;
    }

    public int Port { get; }

    public Uri Endpoint => new($"http://127.0.0.1:{Port}");

    /// <summary>Posts received since the collector was created.</summary>
    public long Posts => Interlocked.Read(ref _posts);

    public bool IsUp
    {
        get
        {
            lock (_lock)
            {
                return _listener is not null;
            }
        }
    }

    /// <summary>Starts listening; retries for a few seconds while the port is still held by the last listener.</summary>
    public async Task UpAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                listener.Start();
            }
            catch (HttpListenerException) when (attempt < 50)
            {
                listener.Close();
                await Task.Delay(100);
                continue;
            }

            lock (_lock)
            {
                _listener = listener;
                _loop = ServeAsync(listener);
            }

            return;
        }
    }

    /// <summary>Stops listening: the exporter's next post finds the port closed.</summary>
    public async Task DownAsync()
    {
        HttpListener? listener;
        Task? loop;
        lock (_lock)
        {
            (listener, loop, _listener, _loop) = (_listener, _loop, null, null);
        }

        if (listener is null)
        {
            return;
        }

        listener.Close();
        await (loop ?? Task.CompletedTask);
    }

    public async ValueTask DisposeAsync() => await DownAsync();

    private async Task ServeAsync(HttpListener listener)
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // closed by DownAsync
            }

            try
            {
                await context.Request.InputStream.CopyToAsync(Stream.Null);
                context.Response.StatusCode = 200;
                context.Response.Close();
                Interlocked.Increment(ref _posts);
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
            {
                // The exporter gave up on this request (its timeout) or the listener closed meanwhile.
            }
        }
    }
}
