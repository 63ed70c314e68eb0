using System.Text.Json;
using BenchDaemon.Hosting;

namespace BenchDaemon.Cli;

/// <summary><c>benchdaemon once</c>: run every configured canary once and report.</summary>
public static class OnceVerb
{
    /// <summary>What is printed while no canary can be configured yet.</summary>
    public const string NoCanariesMessage = "No canaries are configured: nothing was run.";

    public static Task<int> ExecuteAsync(CliContext context, bool json)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (services, _) = CommandServices.Build(context, LoggingMode.Command);
        using (services)
        {
            if (json)
            {
                context.Out.WriteLine(JsonSerializer.Serialize(new { canaries = Array.Empty<object>(), failed = 0, message = NoCanariesMessage }, CliJson.Options));
            }
            else
            {
                context.Out.WriteLine(NoCanariesMessage);
            }
        }

        return Task.FromResult(ExitCodes.Ok);
    }
}
