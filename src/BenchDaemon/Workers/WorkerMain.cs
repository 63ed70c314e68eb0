using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using BenchDaemon.Telemetry;
using Microsoft.Win32.SafeHandles;

namespace BenchDaemon.Workers;

/// <summary>
/// The worker process (<c>benchdaemon __worker</c>): ONNX Runtime, CUDA and model generation live
/// here, never in the daemon. It answers the daemon's requests one at a time until its standard
/// input ends, and ends itself at once when the daemon that started it is gone.
/// </summary>
internal static class WorkerMain
{
    /// <summary>Exit code for a protocol violation by the daemon (EX_PROTOCOL).</summary>
    public const int ProtocolError = 76;

    private static readonly TimeSpan s_parentPoll = TimeSpan.FromMilliseconds(500);

    /// <summary>Runs the worker; returns its exit code.</summary>
    public static int Run()
    {
        // The events go to the original standard output; file descriptor 1 becomes standard
        // error before anything native loads, so whatever a native library prints lands in the
        // daemon's log instead of corrupting the stream.
        var events = WorkerNative.Dup(1);
        if (events < 0 || WorkerNative.Dup2(2, 1) < 0)
        {
            Console.Error.WriteLine("benchdaemon worker: cannot set up the event stream");
            return ProtocolError;
        }

        using var output = new WorkerOutput(new FileStream(new SafeFileHandle(events, ownsHandle: true), FileAccess.Write, 1));
        WatchParent(WorkerNative.GetParentProcessId());

        // The daemon decides when a worker ends (its input closes, a cancel, or a kill). A signal
        // meant for the daemon — Ctrl+C in a terminal reaches the whole process group, as does a
        // stop of a service that did not set KillMode=mixed — must not cut a run short here.
        using var signals = new DisposableList(
            [.. new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT, PosixSignal.SIGHUP }
                .Select(signal => PosixSignalRegistration.Create(signal, context => context.Cancel = true))]);
        output.Send(new HelloEvent(WorkerProtocol.Version, BuildInfoSource.Version, Environment.ProcessId));

        using var input = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
        if (Read(input) is not InitRequest init)
        {
            Console.Error.WriteLine("benchdaemon worker: the first request must be init");
            return ProtocolError;
        }

        using var session = new WorkerSession(init.Settings, output);
        using var requests = new BlockingCollection<WorkerRequest>();
        var current = new ConcurrentDictionary<long, CancellationTokenSource>();

        // Standard input is read on its own thread, so a cancel reaches a request that is running.
        var reader = new Thread(() =>
        {
            try
            {
                while (Read(input) is { } request)
                {
                    if (request is CancelRequest cancel)
                    {
                        if (current.TryGetValue(cancel.Target, out var cts))
                        {
                            cts.Cancel();
                        }
                    }
                    else
                    {
                        requests.Add(request);
                    }
                }
            }
            catch (IOException)
            {
                // The daemon closed the pipe: treated as the end of input.
            }
            finally
            {
                // End of input: cancel what runs and stop taking requests.
                foreach (var cts in current.Values)
                {
                    cts.Cancel();
                }

                requests.CompleteAdding();
            }
        })
        { IsBackground = true, Name = "worker-input" };
        reader.Start();

        foreach (var request in requests.GetConsumingEnumerable())
        {
            using var cts = new CancellationTokenSource();
            current[request.Id] = cts;
            try
            {
                output.Send(session.Handle(request, cts.Token));
            }
#pragma warning disable CA1031 // A bug in one request is that request's answer; the worker goes on.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                output.Send(new FailedEvent(request.Id, $"{ex.GetType().Name}: {ex.Message}"));
            }
            finally
            {
                current.TryRemove(request.Id, out _);
            }

            ReleaseMemory();
        }

        return 0;
    }

    // A reused worker waits between runs holding what the last run freed: the managed heap of its
    // samples, and the native heap where ONNX Runtime kept the session's weights and arena (glibc
    // keeps freed memory in its arenas). Measured with bench/workers/worker-cost.sh, a worker that
    // had run ResNet-50 stayed at 650-850 MiB through the next tiny canary; returning both after
    // each answer keeps a waiting worker near its idle size, at a few milliseconds per run.
    private static void ReleaseMemory()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        try
        {
            _ = WorkerNative.MallocTrim(0);
        }
        catch (EntryPointNotFoundException)
        {
            // Not glibc (musl has no malloc_trim): its allocator returns memory on its own terms.
        }
    }

    private sealed class DisposableList(IReadOnlyList<IDisposable> items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items)
            {
                item.Dispose();
            }
        }
    }

    private static WorkerRequest? Read(StreamReader input)
    {
        while (input.ReadLine() is { } line)
        {
            if (WorkerProtocol.Deserialize<WorkerRequest>(line) is { } request)
            {
                return request;
            }
        }

        return null;
    }

    // A worker must not outlive its daemon, even with a thread stuck in native code: when the
    // parent changes (it died and the worker was re-parented), end the process at once.
    private static void WatchParent(int parent)
    {
        var watchdog = new Thread(() =>
        {
            while (true)
            {
                Thread.Sleep(s_parentPoll);
                if (WorkerNative.GetParentProcessId() != parent)
                {
                    WorkerNative.Exit(ProtocolError);
                }
            }
        })
        { IsBackground = true, Name = "worker-parent-watchdog" };
        watchdog.Start();
    }
}
