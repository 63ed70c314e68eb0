using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using BenchDaemon.Workloads.Canaries;
using Microsoft.Extensions.Logging;

namespace BenchDaemon.Workers;

/// <summary>
/// The daemon's handle on one worker process: starts it, greets it, sends it requests one at a
/// time and watches each — its memory every <see cref="PollInterval"/>, its time per phase, its
/// death — turning every way it can end into a <see cref="WorkerOutcome"/>. Log events of the
/// worker are logged here under their own category; lines on its standard error (what a native
/// library prints, a runtime crash message) are logged as warnings and kept to explain a crash.
/// </summary>
internal sealed partial class WorkerProcess : IDisposable
{
    /// <summary>How often a running request's memory and time are checked.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private const int TailLines = 20;

    private static readonly long s_pageSize = Environment.SystemPageSize;

    private readonly Process _process;
    private readonly ILoggerFactory _loggers;
    private readonly OnnxRuntimeRepeats _repeats;
    private readonly ILogger _logger;
    private readonly Channel<WorkerEvent> _events = Channel.CreateUnbounded<WorkerEvent>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly TaskCompletionSource<HelloEvent> _hello = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<string> _stderrTail = new();
    private readonly Lock _tailLock = new();
    private readonly Task _stdoutPump;
    private readonly Task _stderrPump;
    private readonly TimeProvider _timeProvider;
    private readonly int _pid;
    private string? _lastLine;
    private long _nextId;
    private int _busy;
    private int _disposed;

    private WorkerProcess(Process process, string lane, ILoggerFactory loggers, OnnxRuntimeRepeats repeats, TimeProvider timeProvider)
    {
        _process = process;
        _pid = process.Id;
        Lane = lane;
        _loggers = loggers;
        _repeats = repeats;
        _timeProvider = timeProvider;
        _logger = loggers.CreateLogger<WorkerProcess>();
        _stdoutPump = Task.Run(PumpEventsAsync);
        _stderrPump = Task.Run(PumpStandardErrorAsync);
    }

    /// <summary>The device lane the worker serves (<c>cpu</c>, <c>gpu:0</c>…).</summary>
    public string Lane { get; }

    /// <summary>
    /// Set for every worker on top of the daemon's environment. The daemon caps its young
    /// generation's budget (System.GC.Gen0MaxBudget in its runtimeconfig.json, which the worker,
    /// the same executable, reads too); 0 gives the worker the runtime's default back, so a
    /// measured window sees no more collections than it did before the cap.
    /// </summary>
    public static IReadOnlyDictionary<string, string> WorkerEnvironment { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["DOTNET_GCGen0MaxBudget"] = "0",
    };

    /// <summary>The worker's process id.</summary>
    public int Pid => _pid;

    /// <summary>True once the process has ended.</summary>
    public bool HasExited
    {
        get
        {
            try
            {
                return Volatile.Read(ref _disposed) != 0 || _process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    /// <summary>
    /// Starts a worker for <paramref name="lane"/>, waits for its greeting and sends it
    /// <paramref name="settings"/>; throws <see cref="WorkerStartException"/> when it cannot.
    /// </summary>
    public static async Task<WorkerProcess> StartAsync(WorkerCommand command, WorkerSettings settings, string lane, TimeSpan timeout, ILoggerFactory loggers, OnnxRuntimeRepeats repeats, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in command.Prefix)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in WorkerEnvironment)
        {
            info.Environment[name] = value;
        }

        info.ArgumentList.Add(WorkerProtocol.Verb);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new WorkerStartException($"{command.FileName} did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new WorkerStartException($"cannot start {command.FileName}: {ex.Message}", ex);
        }

        var worker = new WorkerProcess(process, lane, loggers, repeats, timeProvider);
        try
        {
            var hello = await worker._hello.Task.WaitAsync(timeout, timeProvider, cancellationToken);
            if (hello.Protocol != WorkerProtocol.Version)
            {
                throw new WorkerStartException($"the worker speaks protocol {hello.Protocol}, this daemon {WorkerProtocol.Version} (a different build at {command.FileName}?)");
            }

            await worker.SendAsync(new InitRequest(settings));
            LogStarted(worker._logger, lane, process.Id, hello.Version);
            return worker;
        }
        catch (TimeoutException)
        {
            worker.Dispose();
            throw new WorkerStartException($"the worker did not greet within {timeout}{worker.Tail()}");
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException)
        {
            worker.Dispose();
            throw new WorkerStartException($"the worker ended before it greeted{worker.Tail()}", ex);
        }
        catch
        {
            worker.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends the request <paramref name="create"/> makes for a fresh id and waits for its answer,
    /// killing the worker when it passes <paramref name="limits"/>; <paramref name="cancellationToken"/>
    /// asks the worker to stop the request and gives it <paramref name="cancelGrace"/> to answer.
    /// Never throws for anything the worker does.
    /// </summary>
    public async Task<WorkerOutcome> ExecuteAsync(Func<long, WorkerRequest> create, RequestLimits limits, TimeSpan cancelGrace, Action<CanaryPhase>? onPhase, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _busy);
        try
        {
            return await ExecuteCoreAsync(create, limits, cancelGrace, onPhase, cancellationToken);
        }
        finally
        {
            // Disposed while the request ran (the pool shut down): the process object goes now.
            if (Interlocked.Decrement(ref _busy) == 0 && Volatile.Read(ref _disposed) != 0)
            {
                _process.Dispose();
            }
        }
    }

    private async Task<WorkerOutcome> ExecuteCoreAsync(Func<long, WorkerRequest> create, RequestLimits limits, TimeSpan cancelGrace, Action<CanaryPhase>? onPhase, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        ResetPeak();
        long peak = 0;
        try
        {
            await SendAsync(create(id));
        }
        catch (IOException)
        {
            return await DiedAsync(peak);
        }

        CanaryPhase? phase = null;
        var phaseStart = _timeProvider.GetTimestamp();
        var deadline = limits.For(null);
        var cancelled = false;
        var reader = _events.Reader;
        Task<bool>? waiting = null;
        while (true)
        {
            waiting ??= reader.WaitToReadAsync(CancellationToken.None).AsTask();
            await Task.WhenAny(waiting, Task.Delay(PollInterval, _timeProvider, CancellationToken.None));
            if (waiting.IsCompleted)
            {
                if (!await waiting)
                {
                    return await DiedAsync(peak);
                }

                waiting = null;
                while (reader.TryRead(out var message))
                {
                    if (message is ProgressEvent progress && progress.Id == id)
                    {
                        phase = progress.Phase;
                        phaseStart = _timeProvider.GetTimestamp();
                        deadline = limits.For(phase);
                        onPhase?.Invoke(progress.Phase);
                    }
                    else if (message.Id == id)
                    {
                        return new WorkerOutcome(WorkerOutcomeKind.Answered, message, null, Math.Max(peak, ReadPeak() ?? 0));
                    }
                }
            }

            if (ReadResident() is { } rss)
            {
                peak = Math.Max(peak, rss);
                if (rss > limits.MemoryBytes)
                {
                    await KillAsync();
                    return new WorkerOutcome(
                        WorkerOutcomeKind.OutOfMemory,
                        null,
                        $"the worker used {Megabytes(rss)} resident, above its limit of {Megabytes(limits.MemoryBytes)}; killed{LastLine()}",
                        peak);
                }
            }

            if (!cancelled && cancellationToken.IsCancellationRequested)
            {
                cancelled = true;
                phaseStart = _timeProvider.GetTimestamp();
                deadline = cancelGrace;
                try
                {
                    await SendAsync(new CancelRequest(id));
                }
                catch (IOException)
                {
                    // Already gone: the next turn of the loop sees the end of its stream.
                }
            }

            var elapsed = _timeProvider.GetElapsedTime(phaseStart);
            if (elapsed > deadline)
            {
                await KillAsync();
                if (cancelled)
                {
                    return new WorkerOutcome(WorkerOutcomeKind.Interrupted, null, $"the worker did not stop within {cancelGrace} of being asked to; killed", peak);
                }

                var where = phase is { } p ? $"in phase {p.ToString().ToLowerInvariant()}" : "before it reported progress";
                return new WorkerOutcome(
                    WorkerOutcomeKind.TimedOut,
                    null,
                    string.Create(CultureInfo.InvariantCulture, $"the worker gave no answer {elapsed.TotalSeconds:F1} s {where} (limit {deadline}); killed{LastLine()}"),
                    peak);
            }
        }
    }

    /// <summary>The worker's resident memory now, from <c>/proc/{pid}/statm</c>; null when it is gone.</summary>
    public long? ReadResident()
    {
        try
        {
            var statm = File.ReadAllText($"/proc/{Pid.ToString(CultureInfo.InvariantCulture)}/statm");
            var fields = statm.Split(' ', 3);
            return fields.Length > 1 && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pages) ? pages * s_pageSize : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Closes the worker's input (it ends on its own) and kills it if it has not ended after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Gone already.
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(grace, _timeProvider);
        }
        catch (TimeoutException)
        {
            await KillAsync();
        }
    }

    /// <summary>Kills the worker if it still runs. A request in flight sees it die and answers from that.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Ended meanwhile.
        }

        if (Volatile.Read(ref _busy) == 0)
        {
            _process.Dispose();
        }
    }

    private async Task SendAsync(WorkerRequest request)
    {
        var line = WorkerProtocol.Serialize(request);
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    private async Task KillAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10), _timeProvider);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or TimeoutException)
        {
            // Ended meanwhile, or stuck in the kernel: either way it is no longer ours to wait for.
        }
    }

    // The stream ended without an answer: the process died. Its status says how.
    private async Task<WorkerOutcome> DiedAsync(long peak)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10), _timeProvider);
            await _stderrPump.WaitAsync(TimeSpan.FromSeconds(2), _timeProvider);
        }
        catch (TimeoutException)
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
            // Disposed by the pool: it was killed.
        }

        return new WorkerOutcome(WorkerOutcomeKind.Crashed, null, DescribeExit() + LastLine(), peak);
    }

    private string DescribeExit()
    {
        int code;
        try
        {
            code = _process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return "the worker ended";
        }

        // .NET reports a process ended by signal N as exit code 128 + N.
        return code > 128 && code < 128 + 65
            ? string.Create(CultureInfo.InvariantCulture, $"the worker was killed by signal {SignalName(code - 128)} ({code - 128})")
            : string.Create(CultureInfo.InvariantCulture, $"the worker exited with code {code} without answering");
    }

    internal static string SignalName(int signal) => signal switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        5 => "SIGTRAP",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        24 => "SIGXCPU",
        25 => "SIGXFSZ",
        31 => "SIGSYS",
        _ => "SIG" + signal.ToString(CultureInfo.InvariantCulture),
    };

    private string LastLine() => Volatile.Read(ref _lastLine) is { } line ? $"; last log line: {line}" : string.Empty;

    private string Tail()
    {
        lock (_tailLock)
        {
            return _stderrTail.Count == 0 ? string.Empty : "; its output: " + string.Join(" | ", _stderrTail);
        }
    }

    // Peak resident memory per request: writing 5 to clear_refs resets VmHWM (Linux 4.0+).
    private void ResetPeak()
    {
        try
        {
            File.WriteAllText($"/proc/{Pid.ToString(CultureInfo.InvariantCulture)}/clear_refs", "5");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not resettable here: the sampled maximum is used.
        }
    }

    private long? ReadPeak()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{Pid.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var value = line["VmHWM:".Length..].Trim().Split(' ')[0];
                    return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var kib) ? kib * 1024 : null;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone.
        }

        return null;
    }

    private async Task PumpEventsAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                WorkerEvent? message;
                try
                {
                    message = WorkerProtocol.Deserialize<WorkerEvent>(line);
                }
                catch (JsonException ex)
                {
                    LogBadLine(_logger, Lane, Pid, ex.Message);
                    continue;
                }

                switch (message)
                {
                    case null:
                        break;
                    case HelloEvent hello:
                        _hello.TrySetResult(hello);
                        break;
                    case LogEvent log:
                        Forward(log);
                        break;
                    default:
                        await _events.Writer.WriteAsync(message);
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The pipe closed: the process ended.
        }
        finally
        {
            _events.Writer.TryComplete();
            _hello.TrySetException(new InvalidOperationException("the worker's event stream ended"));
        }
    }

    private async Task PumpStandardErrorAsync()
    {
        var category = _loggers.CreateLogger("BenchDaemon.Workers.Output");
        try
        {
            while (await _process.StandardError.ReadLineAsync() is { } raw)
            {
                var line = StripAnsi(raw).Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                lock (_tailLock)
                {
                    _stderrTail.Enqueue(line);
                    if (_stderrTail.Count > TailLines)
                    {
                        _stderrTail.Dequeue();
                    }
                }

                Volatile.Write(ref _lastLine, line);
                LogOutput(category, Lane, Pid, line);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The pipe closed: the process ended.
        }
    }

    // The worker's event, logged here as if it had happened here: same category, level, event
    // id, message template and properties, so structured sinks see the same event; an ONNX
    // Runtime warning logged before is a Debug line (OnnxRuntimeRepeats).
    private void Forward(LogEvent e)
    {
        Volatile.Write(ref _lastLine, e.Message);
        var logger = _loggers.CreateLogger(e.Category);
        var level = _repeats.LevelOf(e);
        if (!logger.IsEnabled(level))
        {
            return;
        }

        var state = new List<KeyValuePair<string, object?>>();
        foreach (var (key, value) in e.Properties ?? new Dictionary<string, JsonElement>())
        {
            state.Add(new(key, FromJson(value)));
        }

        if (e.Template is not null)
        {
            state.Add(new("{OriginalFormat}", e.Template));
        }

        var message = e.Exception is null ? e.Message : e.Message + Environment.NewLine + e.Exception;
        logger.Log(level, new EventId(e.EventId, e.EventName), state, null, (_, _) => message);
    }

    private static object? FromJson(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.TryGetInt64(out var l) ? l : value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => value.GetRawText(),
    };

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):F0} MiB");

    [GeneratedRegex(@"\x1B\[[0-9;]*[A-Za-z]")]
    private static partial Regex AnsiEscape();

    private static string StripAnsi(string line) => line.Contains('\x1B', StringComparison.Ordinal) ? AnsiEscape().Replace(line, string.Empty) : line;

    [LoggerMessage(EventId = 450, Level = LogLevel.Debug, Message = "Worker for {Lane} is up: pid {Pid}, build {Version}")]
    private static partial void LogStarted(ILogger logger, string lane, int pid, string version);

    [LoggerMessage(EventId = 451, Level = LogLevel.Warning, Message = "Worker for {Lane} (pid {Pid}) wrote a line that is not a protocol message: {Problem}")]
    private static partial void LogBadLine(ILogger logger, string lane, int pid, string problem);

    [LoggerMessage(EventId = 452, Level = LogLevel.Warning, Message = "Worker for {Lane} (pid {Pid}): {Line}")]
    private static partial void LogOutput(ILogger logger, string lane, int pid, string line);
}
