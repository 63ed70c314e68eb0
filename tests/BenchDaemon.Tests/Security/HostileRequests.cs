using System.Text;

namespace BenchDaemon.Tests.Security;

/// <summary>
/// Malformed and hostile HTTP requests for the scrape-endpoint scan: broken request lines,
/// oversized lines and headers, smuggling-style bodies, traversal-style paths, protocol
/// confusion, random bytes, and byte-level mutations of a valid scrape (fixed seed).
/// </summary>
public static class HostileRequests
{
    private const string Valid = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/plain\r\n\r\n";

    /// <summary>Every case: a name and the bytes to send.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> All(int seed, int mutations)
    {
        var cases = new List<(string, byte[])>();
        void Add(string name, string text) => cases.Add((name, Encoding.Latin1.GetBytes(text)));
        string Request(string line, string headers = "Host: 127.0.0.1\r\n", string body = "") => $"{line}\r\n{headers}\r\n{body}";

        Add("valid scrape", Valid);

        // Request lines.
        Add("empty lines", "\r\n\r\n\r\n\r\n");
        Add("method only", "GET\r\n\r\n");
        Add("http/0.9", "GET /metrics\r\n\r\n");
        Add("http/9.9", Request("GET /metrics HTTP/9.9"));
        Add("http/2.0 text", Request("GET /metrics HTTP/2.0"));
        Add("http/1.0 no host", "GET /metrics HTTP/1.0\r\n\r\n");
        Add("http/1.1 no host", "GET /metrics HTTP/1.1\r\n\r\n");
        Add("two hosts", Request("GET /metrics HTTP/1.1", "Host: a\r\nHost: b\r\n"));
        Add("host garbage", Request("GET /metrics HTTP/1.1", "Host: \u00ff\u00fe/../\r\n"));
        Add("extra token", Request("GET /metrics HTTP/1.1 extra"));
        Add("leading space", Request(" GET /metrics HTTP/1.1"));
        Add("double space", Request("GET  /metrics HTTP/1.1"));
        Add("tab separated", Request("GET\t/metrics\tHTTP/1.1"));
        Add("nul in method", Request("G\0T /metrics HTTP/1.1"));
        Add("nul in path", Request("GET /metr\0ics HTTP/1.1"));
        Add("no slash", Request("GET metrics HTTP/1.1"));
        Add("absolute form", Request("GET http://evil.example/metrics HTTP/1.1"));
        Add("asterisk get", Request("GET * HTTP/1.1"));
        Add("options asterisk", Request("OPTIONS * HTTP/1.1"));
        Add("connect", Request("CONNECT evil.example:443 HTTP/1.1"));
        Add("trace", Request("TRACE /metrics HTTP/1.1"));
        foreach (var method in new[] { "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "BREW", "get", "PROPFIND", "M-SEARCH", "GE(T", "GÉT" })
        {
            Add($"method {method}", Request($"{method} /metrics HTTP/1.1"));
        }

        Add("lf only", "GET /metrics HTTP/1.1\nHost: a\n\n");
        Add("cr only", "GET /metrics HTTP/1.1\rHost: a\r\r");
        Add("line 9k", Request($"GET /{new string('a', 9 * 1024)} HTTP/1.1"));
        Add("line 100k", Request($"GET /metrics?{new string('q', 100 * 1024)} HTTP/1.1"));
        Add("method 10k", Request($"{new string('G', 10 * 1024)} /metrics HTTP/1.1"));

        // Headers.
        Add("header 20k", Request("GET /metrics HTTP/1.1", $"Host: a\r\nX-Big: {new string('b', 20 * 1024)}\r\n"));
        Add("200 headers", Request("GET /metrics HTTP/1.1", "Host: a\r\n" + string.Concat(Enumerable.Range(0, 200).Select(i => $"X-H{i}: v\r\n"))));
        Add("header no colon", Request("GET /metrics HTTP/1.1", "Host: a\r\nNoColonHere\r\n"));
        Add("header space in name", Request("GET /metrics HTTP/1.1", "Host: a\r\nBad Header: x\r\n"));
        Add("header space before colon", Request("GET /metrics HTTP/1.1", "Host : a\r\n"));
        Add("obs fold", Request("GET /metrics HTTP/1.1", "Host: a\r\nX-A: one\r\n two\r\n"));
        Add("nul in header", Request("GET /metrics HTTP/1.1", "Host: a\r\nX-A: o\0ne\r\n"));
        Add("empty header name", Request("GET /metrics HTTP/1.1", "Host: a\r\n: value\r\n"));
        Add("auth junk", Request("GET /metrics HTTP/1.1", "Host: a\r\nAuthorization: Basic !!!!\r\n"));
        Add("auth huge", Request("GET /metrics HTTP/1.1", $"Host: a\r\nAuthorization: Basic {new string('A', 12 * 1024)}\r\n"));
        Add("accept-encoding junk", Request("GET /metrics HTTP/1.1", "Host: a\r\nAccept-Encoding: gzip;q=nan, *;q=-1, \u00ff\r\n"));
        Add("upgrade websocket", Request("GET /metrics HTTP/1.1", "Host: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"));
        Add("upgrade h2c", Request("GET /metrics HTTP/1.1", "Host: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"));
        Add("expect continue", Request("GET /metrics HTTP/1.1", "Host: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n", "hello"));
        Add("range junk", Request("GET /metrics HTTP/1.1", "Host: a\r\nRange: bytes=99999999999-\r\n"));

        // Bodies and smuggling.
        Add("body on get", Request("GET /metrics HTTP/1.1", "Host: a\r\nContent-Length: 10\r\n", "0123456789"));
        Add("negative length", Request("GET /metrics HTTP/1.1", "Host: a\r\nContent-Length: -1\r\n"));
        Add("length not a number", Request("GET /metrics HTTP/1.1", "Host: a\r\nContent-Length: abc\r\n"));
        Add("length huge", Request("GET /metrics HTTP/1.1", "Host: a\r\nContent-Length: 99999999999999999999999\r\n"));
        Add("two lengths", Request("GET /metrics HTTP/1.1", "Host: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n", "ab"));
        Add("te and cl", Request("POST /metrics HTTP/1.1", "Host: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"));
        Add("chunked garbage", Request("GET /metrics HTTP/1.1", "Host: a\r\nTransfer-Encoding: chunked\r\n", "zz\r\nhello\r\n"));
        Add("chunked huge size", Request("GET /metrics HTTP/1.1", "Host: a\r\nTransfer-Encoding: chunked\r\n", "ffffffffffffffff\r\n"));
        Add("te gzip", Request("GET /metrics HTTP/1.1", "Host: a\r\nTransfer-Encoding: gzip\r\n"));
        Add("te chunked,chunked", Request("GET /metrics HTTP/1.1", "Host: a\r\nTransfer-Encoding: chunked, chunked\r\n", "0\r\n\r\n"));

        // Paths.
        foreach (var path in new[]
        {
            "/../../etc/passwd", "/metrics/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd",
            "/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd", "/..\\..\\etc\\passwd", "/%00", "/metrics%00", "/%zz", "/%", "//metrics",
            "/metrics/", "/METRICS", "/metrics;x=1", "/metrics?%%%", "/metrics#frag", "/~root", "/.env", "/.git/config",
            "/proc/self/environ", "/healthz/../metrics", "/./metrics", "/metrics/.", "/%2fetc%2fpasswd", "/\u00e9t\u00e9", "/%ff%fe",
        })
        {
            Add($"path {path}", Request($"GET {path} HTTP/1.1"));
        }

        // Protocol confusion and noise.
        cases.Add(("tls client hello on plaintext", [0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03, .. new byte[32], 0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00]));
        Add("http2 preface then junk", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\u0000\u0000\u0012\u0004\u0000\u0000\u0000\u0000\u0000garbage");
        Add("ssh banner", "SSH-2.0-OpenSSH_9.6\r\n");
        Add("pipelined 50", string.Concat(Enumerable.Repeat(Valid, 50)));
        Add("pipelined valid then junk", Valid + "\u0001\u0002\u0003 junk\r\n\r\n");
        Add("nothing", string.Empty);

        var random = new Random(seed);
        foreach (var length in new[] { 1, 7, 64, 512, 4096, 20000 })
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            cases.Add(($"random {length} bytes", bytes));
        }

        var valid = Encoding.ASCII.GetBytes(Valid);
        for (var i = 0; i < mutations; i++)
        {
            cases.Add(($"mutation {i}", Mutate(valid, random)));
        }

        return cases;
    }

    private static byte[] Mutate(byte[] source, Random random)
    {
        var bytes = new List<byte>(source);
        var edits = random.Next(1, 6);
        for (var e = 0; e < edits; e++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 2:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 3:
                    if (bytes.Count > 1)
                    {
                        bytes.RemoveAt(at);
                    }

                    break;
                default:
                    // Repeat a slice: long tokens, doubled separators.
                    var length = Math.Min(random.Next(1, 64), bytes.Count - at);
                    var slice = bytes.GetRange(at, length);
                    for (var r = random.Next(1, 50); r > 0; r--)
                    {
                        bytes.InsertRange(at, slice);
                    }

                    break;
            }
        }

        return [.. bytes];
    }
}
