using BenchDaemon.Scheduling;
using BenchDaemon.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace BenchDaemon.Tests.Scheduling;

public sealed class DutyCycleTests
{
    // 2 % of an hour is 72 s.
    private const double TwoPercent = 0.02;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void WouldExceed_SixtySecondRunAtTwoPercent_RefusesThirteenMoreAllowsEleven()
    {
        var duty = new DutyCycle(_time);
        duty.Add(TimeSpan.FromSeconds(60));

        Assert.True(duty.WouldExceed(TimeSpan.FromSeconds(13), TwoPercent));
        Assert.False(duty.WouldExceed(TimeSpan.FromSeconds(11), TwoPercent));
    }

    [Fact]
    public void WouldExceed_RunOlderThanTheWindow_NoLongerCounts()
    {
        var duty = new DutyCycle(_time);
        duty.Add(TimeSpan.FromSeconds(60));
        _time.Advance(TimeSpan.FromMinutes(59));
        Assert.True(duty.WouldExceed(TimeSpan.FromSeconds(13), TwoPercent));

        _time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));

        Assert.False(duty.WouldExceed(TimeSpan.FromSeconds(13), TwoPercent));
        Assert.Equal(0, duty.UsedFraction());
    }

    [Fact]
    public void UsedFraction_SixtySecondRun_IsShareOfTheHour()
    {
        var duty = new DutyCycle(_time);

        duty.Add(TimeSpan.FromSeconds(60));

        Assert.Equal(60.0 / 3600, duty.UsedFraction(), 12);
    }

    [Fact]
    public void WouldExceed_FractionOne_NeverRefuses()
    {
        var duty = new DutyCycle(_time);
        duty.Add(TimeSpan.FromMinutes(59));

        Assert.False(duty.WouldExceed(TimeSpan.FromMinutes(30), 1));
    }

    [Fact]
    [Trait("Category", "Fault")]
    public void WouldExceed_WallClockSteppedBackAnHour_RunsStillLeaveTheWindowAfterAnHour()
    {
        // Before the window ran on the monotonic clock, a step back of an hour kept every run in the
        // window for two hours: a 2 % budget refused canaries (duty_budget) for an hour too long.
        var time = new SteppedTimeProvider(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var duty = new DutyCycle(time);
        duty.Add(TimeSpan.FromSeconds(60));

        time.Step(-TimeSpan.FromHours(1));
        Assert.Equal(60.0 / 3600, duty.UsedFraction(), 12);
        time.Advance(TimeSpan.FromMinutes(61));

        Assert.Equal(0, duty.UsedFraction());
        Assert.False(duty.WouldExceed(TimeSpan.FromSeconds(13), TwoPercent));
    }

    [Fact]
    [Trait("Category", "Fault")]
    public void UsedFraction_WallClockSteppedForwardADay_KeepsTheRunsOfTheLastHour()
    {
        var time = new SteppedTimeProvider(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var duty = new DutyCycle(time);
        duty.Add(TimeSpan.FromSeconds(60));

        time.Step(TimeSpan.FromDays(1));

        Assert.Equal(60.0 / 3600, duty.UsedFraction(), 12);
        Assert.True(duty.WouldExceed(TimeSpan.FromSeconds(13), TwoPercent));
    }

    [Fact]
    public void Stretch_PlannedIntervalOverAnHour_RunsCountOverItAndItsBudgetGrows()
    {
        var duty = new DutyCycle(_time);
        duty.Add(TimeSpan.FromSeconds(64));
        duty.Add(TimeSpan.FromSeconds(43));
        Assert.True(duty.WouldExceed(TimeSpan.FromSeconds(11), TwoPercent)); // 118 s > 72 s of an hour

        duty.Stretch(TimeSpan.FromMinutes(134)); // nine tenths of it: 120.6 minutes, 2 % of which is 144.7 s
        Assert.Equal(TimeSpan.FromMinutes(134) * DutyCycle.StretchShare, duty.Window);
        Assert.False(duty.WouldExceed(TimeSpan.FromSeconds(11), TwoPercent));
        Assert.True(duty.WouldExceed(TimeSpan.FromSeconds(40), TwoPercent));

        _time.Advance(TimeSpan.FromMinutes(61)); // past an hour, within the stretched window: still counted
        Assert.True(duty.WouldExceed(TimeSpan.FromSeconds(40), TwoPercent));

        duty.Stretch(null); // no plan (or one under an hour): back to the hour, and those runs are out of it
        Assert.Equal(DutyCycle.MinimumWindow, duty.Window);
        Assert.False(duty.WouldExceed(TimeSpan.FromSeconds(40), TwoPercent));
        duty.Stretch(TimeSpan.FromMinutes(65)); // nine tenths of 65 minutes is under an hour
        Assert.Equal(DutyCycle.MinimumWindow, duty.Window);
    }
}
