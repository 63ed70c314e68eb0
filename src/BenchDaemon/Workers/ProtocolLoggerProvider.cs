using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;

namespace BenchDaemon.Workers;

/// <summary>
/// The worker's logging: every event at or above the daemon's level goes to the daemon as a
/// <see cref="LogEvent"/> with its template and properties, and the daemon logs it through its
/// own Serilog pipeline (console, journal, file) as if it had happened there.
/// </summary>
internal sealed class ProtocolLoggerProvider(WorkerOutput output, LogLevel minimum) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(output, minimum, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(WorkerOutput output, LogLevel minimum, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            string? template = null;
            Dictionary<string, JsonElement>? properties = null;
            if (state is IReadOnlyList<KeyValuePair<string, object?>> pairs)
            {
                properties = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (var (key, value) in pairs)
                {
                    if (key == "{OriginalFormat}")
                    {
                        template = value as string;
                    }
                    else
                    {
                        properties[key] = ToJson(value);
                    }
                }
            }

            output.Send(new LogEvent(logLevel, category, eventId.Id, eventId.Name, formatter(state, exception), template, properties, exception?.ToString()));
        }

        // Numbers, booleans and strings keep their type; anything else travels as its text. Each
        // type has its own call: the serializer's metadata is generated (BenchDaemonJsonContext).
        private static JsonElement ToJson(object? value) => value switch
        {
            null => Element<string?>(null),
            string s => Element(s),
            bool b => Element(b),
            int i => Element(i),
            long l => Element(l),
            double d => Element(d),
            float f => Element(f),
            decimal m => Element(m),
            short s => Element(s),
            byte b => Element(b),
            uint u => Element(u),
            ulong u => Element(u),
            Enum e => Element(e.ToString()),
            IFormattable f => Element(f.ToString(null, System.Globalization.CultureInfo.InvariantCulture)),
            _ => Element(value.ToString()),
        };

        private static JsonElement Element<T>(T value) =>
            JsonSerializer.SerializeToElement(value, (JsonTypeInfo<T>)WorkerProtocol.Json.GetTypeInfo(typeof(T)));
    }
}
