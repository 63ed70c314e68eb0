using System.Text;
using Serilog.Sinks.File;

namespace BenchDaemon.Hosting;

/// <summary>
/// Keeps every line of the log file a whole event when its disk fills: each event (one flush
/// of Serilog's file sink, which flushes after every event) is written only when the file
/// system has room for it, so a full disk refuses whole events instead of leaving the first
/// half of one that the next event's text would follow on the same line. Refused events are
/// counted by <see cref="LogFileHealth"/> as <c>full</c>.
/// </summary>
internal sealed class WholeEventStream(Stream inner, string directory) : Stream
{
    // ENOSPC: LogFileHealth.ReasonOf reads it from the HResult.
    private const int NoSpace = 28;

    // Room left beyond the event itself: a new block for the file, and whatever else writes there.
    private const long Margin = 64 * 1024;

    private readonly MemoryStream _pending = new();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => _pending.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _pending.Write(buffer);

    public override void Flush()
    {
        if (_pending.Length == 0)
        {
            inner.Flush();
            return;
        }

        try
        {
            var free = FreeBytes();
            if (free < _pending.Length + Margin)
            {
                throw new IOException($"No space left on device (the log event needs {_pending.Length} bytes, {free} are free)", NoSpace);
            }

            inner.Write(_pending.GetBuffer(), 0, (int)_pending.Length);
            inner.Flush();
        }
        finally
        {
            _pending.SetLength(0);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _pending.Dispose();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private long FreeBytes()
    {
        try
        {
            return new DriveInfo(directory).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Unknown: let the write itself say.
            return long.MaxValue;
        }
    }

    /// <summary>Serilog's hook that puts the stream between the file sink and its file.</summary>
    internal sealed class Hooks(string directory) : FileLifecycleHooks
    {
        public override Stream OnFileOpened(string path, Stream underlyingStream, Encoding encoding) =>
            new WholeEventStream(underlyingStream, directory);
    }
}
