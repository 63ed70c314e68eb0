using BenchDaemon.Scheduling;

namespace BenchDaemon.Tests.Scheduling;

public sealed class HeapCompactorTests
{
    private long _heap = 10L << 20;
    private int _collections;

    [Fact]
    public void CompactIfGrown_BelowTheGrowth_LeavesTheHeap()
    {
        var compactor = Compactor();
        _heap += HeapCompactor.GrowthBytes - 1;

        Assert.False(compactor.CompactIfGrown());
        Assert.Equal(0, _collections);
    }

    [Fact]
    public void CompactIfGrown_GrownSinceTheLastCompaction_CompactsAndMeasuresFromWhatItLeft()
    {
        var compactor = Compactor();
        _heap += HeapCompactor.GrowthBytes;

        Assert.True(compactor.CompactIfGrown());
        Assert.Equal(1, _collections);
        // The collection left 11 MiB: the next compaction comes after 4 MiB more than that.
        _heap = (11L << 20) + HeapCompactor.GrowthBytes - 1;
        Assert.False(compactor.CompactIfGrown());
        _heap += 1;
        Assert.True(compactor.CompactIfGrown());
        Assert.Equal(2, _collections);
    }

    [Fact]
    public void Compact_AfterARun_IsWhereTheGrowthCountsFrom()
    {
        var compactor = Compactor();
        _heap = 30L << 20;

        compactor.Compact();
        _heap = 12L << 20;
        compactor.Compact();
        _heap += HeapCompactor.GrowthBytes - 1;

        Assert.False(compactor.CompactIfGrown());
        Assert.Equal(2, _collections);
    }

    [Fact]
    public void Process_CompactsTheRealHeap()
    {
        var before = GC.CollectionCount(GC.MaxGeneration);

        HeapCompactor.Process.Compact();

        Assert.True(GC.CollectionCount(GC.MaxGeneration) > before);
    }

    // The fake collection leaves 11 MiB.
    private HeapCompactor Compactor() => new(() => _heap, () =>
    {
        _collections++;
        _heap = Math.Min(_heap, 11L << 20);
    });
}
