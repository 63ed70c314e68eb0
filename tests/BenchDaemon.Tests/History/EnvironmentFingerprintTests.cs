namespace BenchDaemon.Tests.History;

public sealed class EnvironmentFingerprintTests
{
    [Fact]
    public void Changes_DriverUpdate_NamesFieldFromAndTo()
    {
        var before = Runs.Fingerprint(driver: "580.95.05");
        var after = Runs.Fingerprint(driver: "585.10.01");

        var change = Assert.Single(after.Changes(before));

        Assert.Equal(("driver_version", "580.95.05", "585.10.01"), change);
        Assert.NotEqual(before.Key(), after.Key());
        Assert.Equal(before.Key(), Runs.Fingerprint().Key());
    }
}
