using Quartz;

namespace BenchDaemon.Configuration;

/// <summary>The cron expressions of canary and study schedules, checked as configured.</summary>
public static class CronExpressions
{
    /// <summary>Null when <paramref name="cron"/> is a valid Quartz cron expression, else why not.</summary>
    public static string? Check(string cron)
    {
        try
        {
            CronExpression.ValidateExpression(cron);
            return null;
        }
        catch (FormatException ex)
        {
            return $"'{cron}' is not a valid Quartz cron expression ({ex.Message}); fields are seconds minutes hours day-of-month month day-of-week, e.g. 0 */15 * * * ?";
        }
    }
}
