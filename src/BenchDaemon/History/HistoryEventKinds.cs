namespace BenchDaemon.History;

/// <summary>The kinds of <see cref="StoredEvent"/>.</summary>
public static class HistoryEventKinds
{
    /// <summary>The fingerprint of a canary changed; detail lists field, from, to.</summary>
    public const string EnvironmentChange = "environment_change";

    /// <summary><c>benchdaemon baseline accept</c>: the current level is the new baseline.</summary>
    public const string BaselineAccept = "baseline_accept";

    /// <summary>A regression opened.</summary>
    public const string RegressionOpened = "regression_opened";

    /// <summary>A regression closed (returned or accepted).</summary>
    public const string RegressionClosed = "regression_closed";
}
