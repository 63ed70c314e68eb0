using System.Globalization;
using System.Net;

namespace BenchDaemon.Configuration;

/// <summary>
/// A <c>host:port</c> listen address. The host may be an IPv4 or bracketed IPv6 address,
/// <c>localhost</c>, or empty / <c>*</c> for every interface (<c>:9847</c>).
/// </summary>
public sealed record ListenAddress(string Host, int Port)
{
    /// <summary>True when the address means every interface.</summary>
    public bool AnyInterface => Host.Length == 0 || Host == "*";

    /// <summary>True for <c>localhost</c>, which binds the IPv4 and IPv6 loopback.</summary>
    public bool IsLocalhost => string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase);

    /// <summary>The address as a URL authority, for logs and links.</summary>
    public override string ToString() => AnyInterface ? $"*:{Port}" : IPAddress.TryParse(Host, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>
    /// Parses <paramref name="text"/>; on failure <paramref name="error"/> says why in words a
    /// user can act on.
    /// </summary>
    public static bool TryParse(string? text, out ListenAddress? address, out string? error)
    {
        address = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "must not be empty; use host:port, for example 127.0.0.1:9847 or :9847 for every interface";
            return false;
        }

        text = text.Trim();
        string host;
        string portText;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':')
            {
                error = $"'{text}' is not [ipv6]:port";
                return false;
            }

            host = text[1..close];
            portText = text[(close + 2)..];
            if (!IPAddress.TryParse(host, out _))
            {
                error = $"'{host}' is not an IPv6 address";
                return false;
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon < 0)
            {
                error = $"'{text}' has no port; use host:port, for example 127.0.0.1:9847 or :9847";
                return false;
            }

            if (text.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                error = $"'{text}' looks like an IPv6 address without brackets; write [address]:port";
                return false;
            }

            host = text[..colon];
            portText = text[(colon + 1)..];
            if (host.Length > 0 && host != "*" && !string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) && !IPAddress.TryParse(host, out _))
            {
                error = $"'{host}' is not an IP address, 'localhost' or '*' (host names are not resolved, to keep the bind predictable)";
                return false;
            }
        }

        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            error = $"port '{portText}' is not a number";
            return false;
        }

        if (port is < 1 or > 65535)
        {
            error = $"port {port} is out of range 1-65535";
            return false;
        }

        address = new ListenAddress(host, port);
        return true;
    }
}
