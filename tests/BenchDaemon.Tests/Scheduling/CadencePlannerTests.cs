using BenchDaemon.Scheduling;
using BenchDaemon.Workloads.Canaries;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace BenchDaemon.Tests.Scheduling;

/// <summary>The interval of the canaries fitted to the duty budget (the built-in defaults), planned from their cost.</summary>
public sealed class CadencePlannerTests
{
    private static readonly TimeSpan s_fifteen = TimeSpan.FromMinutes(15);

    [Fact]
    public void Need_FourCanariesOfFifteenSecondsAtTwoPercent_AboutAnHour()
    {
        // 60 s per round may be 80 % of 2 %: 60 / 0.016 = 3750 s, rounded up to whole minutes.
        var need = CadencePlanner.Need(Enumerable.Repeat(TimeSpan.FromSeconds(15), 4), 0.02, s_fifteen);

        Assert.Equal(TimeSpan.FromMinutes(63), need);
    }

    [Fact]
    public void Need_CheapCanariesOrNoBudget_KeepTheirFloor()
    {
        Assert.Equal(s_fifteen, CadencePlanner.Need(Enumerable.Repeat(TimeSpan.FromSeconds(2), 4), 0.02, s_fifteen));
        Assert.Equal(s_fifteen, CadencePlanner.Need(Enumerable.Repeat(TimeSpan.FromMinutes(5), 4), 1, s_fifteen));
    }

    [Fact]
    public void Observe_CostsGrowThenFall_ReplansWithHysteresisAndReturnsToTheFloor()
    {
        var planner = Planner(0.02);
        var fitted = Fitted("a", "b", "c", "d");
        var plans = new List<TimeSpan>();
        planner.Replanned += plans.Add;

        // The first run: the others are assumed as dear.
        planner.Observe(fitted[0], TimeSpan.FromSeconds(15), fitted);
        Assert.Equal([TimeSpan.FromMinutes(63)], plans);

        // Slightly cheaper runs do not move every trigger.
        foreach (var canary in fitted)
        {
            planner.Observe(canary, TimeSpan.FromSeconds(13), fitted);
        }

        Assert.Single(plans);

        // Much cheaper: back down as the cheaper runs come in, to the floor, which is in force again.
        foreach (var canary in fitted)
        {
            planner.Observe(canary, TimeSpan.FromSeconds(2), fitted);
        }

        Assert.Equal(TimeSpan.FromMinutes(63), plans[0]);
        Assert.Equal(s_fifteen, plans[^1]);
        Assert.True(plans.Skip(1).Zip(plans.Skip(2)).All(p => p.Second < p.First), string.Join(", ", plans));
        Assert.Null(planner.Planned);
    }

    [Fact]
    public void Apply_Planned_LengthensFittedCanariesOnly()
    {
        var planner = Planner(0.02);
        var fitted = Fitted("a", "b");
        var other = TestCanaries.Cpu("user", "/m.onnx", interval: s_fifteen);
        planner.Apply([.. fitted, other]);
        planner.Observe(fitted[0], TimeSpan.FromSeconds(30), fitted);

        var applied = planner.Apply([.. fitted, other]);

        Assert.All(applied.Where(c => c.Schedule.FitDutyBudget), c => Assert.Equal(TimeSpan.FromMinutes(63), c.Schedule.Interval));
        Assert.Equal(s_fifteen, applied.Single(c => c.Name == "user").Schedule.Interval);
    }

    [Theory]
    [InlineData(12, 16, 20, 14)] // the defaults of a small host measuring for 12–20 s: a round fits one hour's budget
    [InlineData(64, 11, 43, 56)] // measured on a 2-core VM under the precision rule: a round (174 s) is more than an hour's 72 s
    public void Plan_SteadyState_NoFittedCanaryWouldBeRefusedByTheDutyBudget(int first, int second, int third, int fourth)
    {
        // Four default canaries on the guard's own duty cycle, stretched to the plan as the coordinator does.
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var duty = new DutyCycle(time);
        var costs = new[] { first, second, third, fourth }.Select(s => TimeSpan.FromSeconds(s)).ToArray();
        var planner = Planner(0.02);
        var fitted = Fitted("resnet50-fp32", "resnet50-int8", "bert-fp32", "bert-int8");
        for (var i = 0; i < fitted.Count; i++)
        {
            planner.Observe(fitted[i], costs[i], fitted);
            duty.Stretch(planner.Planned);
        }

        var interval = planner.Planned!.Value;
        for (var round = 0; round < 48; round++)
        {
            for (var i = 0; i < fitted.Count; i++)
            {
                Assert.False(duty.WouldExceed(costs[i], 0.02), $"round {round}, canary {i} would be skipped for the budget (interval {interval})");
                time.Advance(costs[i]);
                duty.Add(costs[i]);
                time.Advance(TimeSpan.FromSeconds(15)); // the start spacing between canaries
            }

            time.Advance(interval - (TimeSpan.FromSeconds(15) * fitted.Count) - costs.Aggregate(TimeSpan.Zero, (a, b) => a + b));
        }
    }

    private static CadencePlanner Planner(double dutyFraction) =>
        new(new StaticOptionsMonitor<GuardOptions>(new GuardOptions { DutyFraction = dutyFraction }), NullLogger<CadencePlanner>.Instance);

    private static IReadOnlyList<CanaryDefinition> Fitted(params string[] names) =>
        [.. names.Select(n => TestCanaries.Cpu(n, "/m.onnx", interval: s_fifteen) is var c ? c with { Schedule = c.Schedule with { FitDutyBudget = true } } : null!)];
}
