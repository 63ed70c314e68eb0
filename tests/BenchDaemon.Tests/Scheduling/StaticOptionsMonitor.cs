using Microsoft.Extensions.Options;

namespace BenchDaemon.Tests.Scheduling;

/// <summary>An options monitor whose value the test sets and changes directly.</summary>
public sealed class StaticOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue { get; set; } = value;

    public T Get(string? name) => CurrentValue;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
