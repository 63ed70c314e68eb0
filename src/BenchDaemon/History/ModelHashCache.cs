using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;

namespace BenchDaemon.History;

/// <summary>
/// SHA-256 of model files for the fingerprint: from the model zoo's <c>.sha256</c> checksum
/// file when it records the file's current size, otherwise hashed once and remembered by
/// path, size and modification time (a 100 MB model is not re-read every run).
/// </summary>
public sealed class ModelHashCache
{
    private readonly ConcurrentDictionary<string, (long Length, DateTime Modified, string Hash)> _hashes = new(StringComparer.Ordinal);

    /// <summary>The hex SHA-256 of <paramref name="path"/>, or null when it cannot be read.</summary>
    public string? Hash(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        try
        {
            var file = new FileInfo(path);
            if (!file.Exists)
            {
                return null;
            }

            if (_hashes.TryGetValue(path, out var known) && known.Length == file.Length && known.Modified == file.LastWriteTimeUtc)
            {
                return known.Hash;
            }

            var hash = Sidecar(path, file.Length) ?? Compute(path);
            _hashes[path] = (file.Length, file.LastWriteTimeUtc, hash);
            return hash;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // sha256sum format ("<64 hex>  name"), with the zoo's "# size N" line; a sidecar for another size is stale.
    private static string? Sidecar(string path, long length)
    {
        var sidecar = path + ".sha256";
        if (!File.Exists(sidecar))
        {
            return null;
        }

        string? hash = null;
        long? size = null;
        foreach (var line in File.ReadLines(sidecar))
        {
            if (line.StartsWith('#'))
            {
                var digits = new string(line.Where(char.IsAsciiDigit).ToArray());
                size = long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : null;
            }
            else if (hash is null && line.Length >= 64 && line[..64].All(char.IsAsciiHexDigit))
            {
                hash = line[..64].ToLowerInvariant();
            }
        }

        return hash is not null && (size is null || size == length) ? hash : null;
    }

    private static string Compute(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 20, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
