using System.Text;

namespace BenchDaemon.Workers;

/// <summary>The worker's end of the event stream: whole lines, written and flushed under a lock (log events come from any thread).</summary>
internal sealed class WorkerOutput(Stream stream) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Stream _stream = stream;
    private bool _broken;

    /// <summary>Writes <paramref name="message"/> as one line; a daemon that went away makes this a no-op.</summary>
    public void Send(WorkerEvent message)
    {
        var bytes = Encoding.UTF8.GetBytes(WorkerProtocol.Serialize(message) + "\n");
        lock (_lock)
        {
            if (_broken)
            {
                return;
            }

            try
            {
                _stream.Write(bytes);
                _stream.Flush();
            }
            catch (IOException)
            {
                // The daemon closed its end: the parent watchdog or the end of standard input ends us.
                _broken = true;
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
