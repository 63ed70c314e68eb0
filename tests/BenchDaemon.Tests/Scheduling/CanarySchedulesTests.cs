using System.Reflection;
using BenchDaemon.Configuration;
using BenchDaemon.Scheduling;
using Quartz;

namespace BenchDaemon.Tests.Scheduling;

public sealed class CanarySchedulesTests
{
    private static readonly DateTimeOffset s_start = new(2025, 6, 1, 12, 7, 30, TimeSpan.Zero);

    [Fact]
    public void Trigger_Interval_FiresAtStartThenEveryInterval()
    {
        var canary = TestCanaries.Cpu("every-ten", "/models/m.onnx", interval: TimeSpan.FromMinutes(10));

        var trigger = CanarySchedules.Trigger(canary, s_start);

        var first = trigger.GetFireTimeAfter(s_start.AddSeconds(-1));
        var second = trigger.GetFireTimeAfter(first);
        var third = trigger.GetFireTimeAfter(second);
        Assert.Equal(s_start, first);
        Assert.Equal(s_start.AddMinutes(10), second);
        Assert.Equal(s_start.AddMinutes(20), third);
        Assert.Equal(new JobKey("every-ten", CanaryJob.Group), trigger.JobKey);
    }

    [Fact]
    public void Trigger_QuarterHourCron_FiresOnQuarterHoursUtc()
    {
        var canary = TestCanaries.Cpu("quarterly", "/models/m.onnx", cron: "0 */15 * * * ?");

        var trigger = CanarySchedules.Trigger(canary, s_start);

        var fires = new List<DateTimeOffset>();
        DateTimeOffset? after = s_start;
        for (var i = 0; i < 4; i++)
        {
            after = trigger.GetFireTimeAfter(after);
            fires.Add(after!.Value);
        }

        Assert.Equal(
            [new(2025, 6, 1, 12, 15, 0, TimeSpan.Zero), new(2025, 6, 1, 12, 30, 0, TimeSpan.Zero), new(2025, 6, 1, 12, 45, 0, TimeSpan.Zero), new(2025, 6, 1, 13, 0, 0, TimeSpan.Zero)],
            fires);
        Assert.Equal(TimeZoneInfo.Utc, Assert.IsAssignableFrom<ICronTrigger>(trigger).TimeZone);
    }

    [Fact]
    public void Trigger_Interval_MisfireSkipsToTheNextPlannedTime()
    {
        var trigger = CanarySchedules.Trigger(TestCanaries.Cpu("c", "/models/m.onnx", interval: TimeSpan.FromMinutes(1)), s_start);

        Assert.Equal(MisfireInstruction.SimpleTrigger.RescheduleNextWithRemainingCount, trigger.MisfireInstruction);
    }

    [Fact]
    public void Trigger_Cron_MisfireFiresOnceNow()
    {
        var trigger = CanarySchedules.Trigger(TestCanaries.Cpu("c", "/models/m.onnx", cron: "0 */15 * * * ?"), s_start);

        Assert.Equal(MisfireInstruction.CronTrigger.FireOnceNow, trigger.MisfireInstruction);
    }

    [Fact]
    public void FirstFirings_ManyIntervalCanaries_AreSpreadAndCapped()
    {
        var canaries = Enumerable.Range(0, 12)
            .Select(i => TestCanaries.Cpu($"c{i}", "/models/m.onnx", interval: TimeSpan.FromMinutes(10)))
            .Append(TestCanaries.Cpu("cron", "/models/m.onnx", cron: "0 */15 * * * ?"))
            .Append(TestCanaries.Cpu("fast", "/models/m.onnx", interval: TimeSpan.FromSeconds(13)))
            .ToList();

        var starts = CanarySchedules.FirstFirings(canaries, s_start);

        // 13 interval canaries: ten minutes / 13 is over the 15 s cap, so they start 15 s apart;
        // the fast one (13 s / 13 = 1 s) is the 13th interval canary, at 12 × 1 s.
        Assert.Equal(s_start, starts[0]);
        Assert.Equal(s_start.AddSeconds(15), starts[1]);
        Assert.Equal(s_start.AddSeconds(11 * 15), starts[11]);
        Assert.Equal(s_start, starts[12]);
        Assert.Equal(s_start.AddSeconds(12), starts[13]);
        Assert.Equal(starts.Count, starts.Distinct().Count() + 1); // only the cron canary shares the start
    }

    [Fact]
    public void FirstFirings_TwoShortIntervals_SpreadWithinTheInterval()
    {
        var canaries = new[]
        {
            TestCanaries.Cpu("a", "/models/m.onnx", interval: TimeSpan.FromSeconds(2)),
            TestCanaries.Cpu("b", "/models/m.onnx", interval: TimeSpan.FromSeconds(2)),
        };

        var starts = CanarySchedules.FirstFirings(canaries, s_start);

        Assert.Equal([s_start, s_start.AddSeconds(1)], starts);
    }

    [Fact]
    public void CheckCron_ValidExpression_ReturnsNull()
    {
        Assert.Null(CronExpressions.Check("0 */15 * * * ?"));
    }

    [Theory]
    [InlineData("*/15 * * * *")] // five-field Unix cron: Quartz wants seconds first
    [InlineData("0 61 * * * ?")]
    [InlineData("0 0 12 * * MON")] // day-of-month and day-of-week both given
    [InlineData("every quarter hour")]
    public void CheckCron_InvalidExpression_ExplainsTheFieldOrder(string cron)
    {
        var problem = CronExpressions.Check(cron);

        Assert.NotNull(problem);
        Assert.StartsWith($"'{cron}' is not a valid Quartz cron expression (", problem, StringComparison.Ordinal);
        Assert.EndsWith("fields are seconds minutes hours day-of-month month day-of-week, e.g. 0 */15 * * * ?", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Job_Type_DisallowsConcurrentExecution()
    {
        Assert.NotNull(typeof(CanaryJob).GetCustomAttribute<DisallowConcurrentExecutionAttribute>());
        Assert.True(CanarySchedules.Job(TestCanaries.Cpu("c", "/models/m.onnx")).ConcurrentExecutionDisallowed);
    }

    [Fact]
    public void Job_Canary_CarriesTheCanaryName()
    {
        var job = CanarySchedules.Job(TestCanaries.Cpu("resnet-cpu", "/models/m.onnx"));

        Assert.Equal("resnet-cpu", job.JobDataMap.GetString(CanaryJob.CanaryKey));
        Assert.Equal(new JobKey("resnet-cpu", CanaryJob.Group), job.Key);
        Assert.Equal(typeof(CanaryJob), job.JobType);
    }

    [Fact]
    public void Period_Interval_IsIntervalPlusJitter()
    {
        var schedule = new BenchDaemon.Workloads.Canaries.CanarySchedule(TimeSpan.FromMinutes(10), null, TimeSpan.FromSeconds(30));

        Assert.Equal(TimeSpan.FromSeconds(630), CanarySchedules.Period(schedule, s_start));
    }

    [Fact]
    public void Period_QuarterHourCron_IsFifteenMinutes()
    {
        var schedule = new BenchDaemon.Workloads.Canaries.CanarySchedule(TimeSpan.Zero, "0 */15 * * * ?", TimeSpan.Zero);

        Assert.Equal(TimeSpan.FromMinutes(15), CanarySchedules.Period(schedule, s_start));
    }

    [Fact]
    public void Period_WeekdayCron_IsTheWeekendGap()
    {
        // 09:00 Monday to Friday: Friday 09:00 to Monday 09:00 is the longest gap, three days.
        var schedule = new BenchDaemon.Workloads.Canaries.CanarySchedule(TimeSpan.Zero, "0 0 9 ? * MON-FRI", TimeSpan.Zero);

        Assert.Equal(TimeSpan.FromDays(3), CanarySchedules.Period(schedule, s_start));
    }

    [Fact]
    public void Period_CronInThePast_IsNull()
    {
        var schedule = new BenchDaemon.Workloads.Canaries.CanarySchedule(TimeSpan.Zero, "0 0 0 1 1 ? 2020", TimeSpan.Zero);

        Assert.Null(CanarySchedules.Period(schedule, s_start));
    }
}
