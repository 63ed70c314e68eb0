namespace BenchDaemon.Scheduling;

/// <summary>
/// Compacting full collections of the daemon's managed heap: after each canary's runs, and when
/// the heap has grown by <see cref="GrowthBytes"/> since the last one. An idle daemon promotes a
/// little garbage out of its young generation at every collection (probe ticks, scrapes) and the
/// runtime may not collect the older generations for hours: the natively compiled daemon grew by
/// about 5 MiB an hour that way between canary rounds (bench/workers/README.md).
/// </summary>
public sealed class HeapCompactor(Func<long> heapBytes, Action collect)
{
    /// <summary>How much the heap may grow between two compactions.</summary>
    public const long GrowthBytes = 4L << 20;

    private long _afterLast = heapBytes();

    /// <summary>The daemon's own heap.</summary>
    public static HeapCompactor Process { get; } = new(() => GC.GetTotalMemory(forceFullCollection: false), CollectEverything);

    /// <summary>Compacts now (large object heap included) and remembers the heap's size after it.</summary>
    public void Compact()
    {
        collect();
        Volatile.Write(ref _afterLast, heapBytes());
    }

    /// <summary>Compacts when the heap has grown by <see cref="GrowthBytes"/> or more since the last compaction.</summary>
    public bool CompactIfGrown()
    {
        if (heapBytes() - Volatile.Read(ref _afterLast) < GrowthBytes)
        {
            return false;
        }

        Compact();
        return true;
    }

    // A few milliseconds on a heap of tens of MiB; the runs themselves take seconds, in workers.
    private static void CollectEverything()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}
