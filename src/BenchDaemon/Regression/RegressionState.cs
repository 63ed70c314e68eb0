namespace BenchDaemon.Regression;

/// <summary>What the gate concluded about the newest run of a series.</summary>
public enum RegressionState
{
    /// <summary>Too few baseline runs in this segment to judge.</summary>
    Learning,

    /// <summary>Within the baseline.</summary>
    Normal,

    /// <summary>Evidence is building: the gate asks for an immediate confirmation re-run.</summary>
    Suspected,

    /// <summary>A regression opened with this run.</summary>
    Opened,

    /// <summary>A regression is open and still there.</summary>
    Open,

    /// <summary>The open regression cleared with this run: the series returned to its baseline.</summary>
    Cleared,
}
