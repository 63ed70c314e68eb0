using BenchDaemon.Telemetry;

namespace BenchDaemon.Tests.Telemetry;

public sealed class FailureLatchTests
{
    [Fact]
    public void Fail_FirstOfEachReasonInARow_RecoverEndsIt()
    {
        var latch = new FailureLatch();

        Assert.Null(latch.Recover()); // nothing failed yet: no recovery to report
        Assert.True(latch.Fail("busy"));
        Assert.False(latch.Fail("busy")); // a repeat
        Assert.True(latch.Fail("full")); // another reason is news
        Assert.Equal("full", latch.Recover());
        Assert.Null(latch.Recover());
        Assert.True(latch.Fail("full")); // after a recovery, the same reason is news again
    }
}
