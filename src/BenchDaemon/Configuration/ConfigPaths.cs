namespace BenchDaemon.Configuration;

/// <summary>
/// The rule every file or directory path in the configuration follows: no <c>..</c> segments
/// (a path that climbs out of where it seems to point hides what is really read or written,
/// and a hostile configuration uses exactly that), and no control characters.
/// </summary>
public static class ConfigPaths
{
    /// <summary>Null when <paramref name="path"/> is acceptable, else what is wrong with it.</summary>
    public static string? Problem(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        if (path.Any(char.IsControl))
        {
            return "must not contain control characters";
        }

        return path.Split('/').Any(segment => segment == "..")
            ? $"'{path}' contains a '..' segment; write the path without it"
            : null;
    }
}
