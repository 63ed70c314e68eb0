namespace BenchDaemon.Configuration;

/// <summary>
/// A configuration problem a user must fix: <see cref="Key"/> names the setting (for example
/// <c>Metrics:Listen</c>) or the file, and the message says what is wrong. The CLI prints it
/// as one line and exits with <see cref="Cli.ExitCodes.Config"/>.
/// </summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException()
    {
        Key = string.Empty;
    }

    public ConfigurationException(string message)
        : base(message)
    {
        Key = string.Empty;
    }

    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Key = string.Empty;
    }

    public ConfigurationException(string key, string problem, Exception? innerException = null)
        : base($"{key}: {problem}", innerException)
    {
        Key = key;
    }

    /// <summary>The configuration key or file the problem is about.</summary>
    public string Key { get; }
}
