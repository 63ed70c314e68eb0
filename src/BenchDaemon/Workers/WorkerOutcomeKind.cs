namespace BenchDaemon.Workers;

/// <summary>The ways a request to a worker ends; every one but <see cref="Answered"/> ends the worker too.</summary>
internal enum WorkerOutcomeKind
{
    /// <summary>The worker answered.</summary>
    Answered,

    /// <summary>The worker died (a signal, or an exit without an answer).</summary>
    Crashed,

    /// <summary>The worker passed the time limit of its phase and was killed.</summary>
    TimedOut,

    /// <summary>The worker passed its memory limit and was killed.</summary>
    OutOfMemory,

    /// <summary>The daemon is stopping: the request was cancelled and the worker did not answer in time.</summary>
    Interrupted,

    /// <summary>No worker could be started.</summary>
    StartFailed,
}
