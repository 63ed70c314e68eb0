using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using BenchDaemon.Configuration;

namespace BenchDaemon.Security;

/// <summary>
/// Checks HTTP basic-authentication credentials against bcrypt hashes. A bcrypt verification
/// costs tens of milliseconds on purpose, so a verified credential is remembered for
/// <see cref="CacheLifetime"/> (at most <see cref="CacheCapacity"/> of them), keyed by a
/// SHA-256 of user, password and hash: a scrape every 15 s pays bcrypt once a minute, and a
/// changed hash invalidates the entry. Unknown users cost one bcrypt too, so response time
/// does not tell which names exist; the final comparison is constant-time. At most
/// <see cref="ConcurrentVerifications"/> verifications run at once, so a flood of wrong
/// passwords takes a bounded share of the CPU.
/// </summary>
public sealed class BasicAuthenticator(TimeProvider timeProvider) : IDisposable
{
    /// <summary>How long a verified credential is remembered.</summary>
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(1);

    /// <summary>Most credentials remembered at once.</summary>
    public const int CacheCapacity = 64;

    /// <summary>Most bcrypt verifications running at once.</summary>
    public const int ConcurrentVerifications = 2;

    // Verified against when the user is unknown; the cost matches the lowest accepted.
    private static readonly Lazy<string> s_dummyHash = new(() => BCrypt.Net.BCrypt.HashPassword("benchdaemon", WebConfigLoader.MinBcryptCost));

    private readonly ConcurrentDictionary<string, long> _verified = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots = new(ConcurrentVerifications, ConcurrentVerifications);

    /// <summary>Credentials currently remembered (for tests).</summary>
    public int CachedCount => _verified.Count;

    /// <summary>Number of bcrypt verifications done so far (for tests).</summary>
    public long Verifications => Interlocked.Read(ref _verifications);

    private long _verifications;

    public void Dispose() => _slots.Dispose();

    /// <summary>
    /// True when <paramref name="authorization"/> (the header value) carries a user of
    /// <paramref name="users"/> with the right password; the returned user is the name
    /// presented, or null when the header is missing or malformed.
    /// </summary>
    public async ValueTask<(bool Ok, string? User)> VerifyAsync(string? authorization, IReadOnlyDictionary<string, string> users, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(users);
        if (!TryParse(authorization, out var user, out var password))
        {
            return (false, null);
        }

        var known = users.TryGetValue(user, out var hash);
        var key = CacheKey(user, password, hash ?? string.Empty);
        var now = timeProvider.GetTimestamp();
        if (known && _verified.TryGetValue(key, out var expires) && now < expires)
        {
            return (true, user);
        }

        await _slots.WaitAsync(cancellationToken);
        bool ok;
        try
        {
            Interlocked.Increment(ref _verifications);
            var reference = known ? hash! : s_dummyHash.Value;
            string computed;
            try
            {
                computed = BCrypt.Net.BCrypt.HashPassword(password, reference);
            }
            catch (BCrypt.Net.SaltParseException)
            {
                return (false, user);
            }

            // $2y$ and $2b$ hashes come back with the revision the library writes; compare from the cost on.
            ok = known && CryptographicOperations.FixedTimeEquals(
                Encoding.UTF8.GetBytes(computed.AsSpan(3).ToString()),
                Encoding.UTF8.GetBytes(reference.AsSpan(3).ToString()));
        }
        finally
        {
            _slots.Release();
        }

        if (ok)
        {
            Remember(key, now);
        }

        return (ok, user);
    }

    /// <summary>Forgets every remembered credential (the users changed).</summary>
    public void Clear() => _verified.Clear();

    private void Remember(string key, long now)
    {
        if (_verified.Count >= CacheCapacity)
        {
            foreach (var (stale, expires) in _verified)
            {
                if (expires <= now)
                {
                    _verified.TryRemove(stale, out _);
                }
            }

            // Still full of live entries (many distinct credentials): start over rather than grow.
            if (_verified.Count >= CacheCapacity)
            {
                _verified.Clear();
            }
        }

        _verified[key] = now + (long)(CacheLifetime.TotalSeconds * timeProvider.TimestampFrequency);
    }

    internal static bool TryParse(string? header, out string user, out string password)
    {
        user = password = string.Empty;
        const string Scheme = "Basic ";
        if (header is null || header.Length <= Scheme.Length || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var encoded = header.AsSpan(Scheme.Length).Trim();
        var buffer = new byte[encoded.Length];
        if (!Convert.TryFromBase64Chars(encoded, buffer, out var written))
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, written);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        user = decoded[..colon];
        password = decoded[(colon + 1)..];
        return true;
    }

    private static string CacheKey(string user, string password, string hash) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{user}\0{password}\0{hash}")));
}
