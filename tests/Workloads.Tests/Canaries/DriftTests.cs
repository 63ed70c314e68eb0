using BenchDaemon.Workloads.Canaries;

namespace BenchDaemon.Workloads.Tests.Canaries;

public sealed class DriftTests
{
    [Fact]
    public void Compare_Identical_IsZeroErrorFullAgreement()
    {
        double[] values = [0.1, 0.9, -0.3, 0.2, 0.5, 0.4];

        var drift = Drift.Compare("ref", values, values, classes: 3);

        Assert.Equal(0, drift.MaxAbsError);
        Assert.Equal(1, drift.CosineSimilarity, 12);
        Assert.Equal(1, drift.Top1Agreement);
    }

    [Fact]
    public void Compare_KnownVectors_GivesExactFigures()
    {
        // Row 1 arg-max moves from index 1 to 0; row 2 stays at index 2.
        double[] expected = [1, 2, 0, 0, 0, 3];
        double[] actual = [2.5, 2, 0, 0, 0, 3];

        var drift = Drift.Compare("ref", expected, actual, classes: 3);

        Assert.Equal(1.5, drift.MaxAbsError, 12);
        var cosine = (2.5 + 4 + 9) / (Math.Sqrt(1 + 4 + 9) * Math.Sqrt(6.25 + 4 + 9));
        Assert.Equal(cosine, drift.CosineSimilarity, 12);
        Assert.Equal(0.5, drift.Top1Agreement);
    }

    [Fact]
    public void Compare_NoClassAxis_HasNoTop1()
    {
        Assert.Null(Drift.Compare("ref", [1.0, 2.0], [1.0, 2.5], classes: 0).Top1Agreement);
    }
}
