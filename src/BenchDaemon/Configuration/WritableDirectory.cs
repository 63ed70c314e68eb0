namespace BenchDaemon.Configuration;

/// <summary>Checks that a directory exists (creating it with mode 0700; missing parents get the default mode) and that this process can write in it.</summary>
public static class WritableDirectory
{
    /// <summary>rwx for the owner, nothing for group and others (0700).</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Returns null when <paramref name="path"/> is usable, else what is wrong.</summary>
    public static string? Check(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return "must not be empty";
        }

        if (File.Exists(path))
        {
            return $"'{path}' is a file, not a directory";
        }

        try
        {
            // Directories BenchDaemon creates (state, logs) are its owner's only: history, models
            // and logs are nobody else's business. An existing directory keeps its mode.
            Directory.CreateDirectory(path, OwnerOnly);
            var probe = Path.Combine(path, $".benchdaemon-write-test-{Environment.ProcessId}");
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }

            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return $"'{path}' is not writable by this user";
        }
        catch (IOException ex)
        {
            return $"'{path}' cannot be created or written ({ex.Message})";
        }
    }
}
