namespace BenchDaemon.Bench.Regression;

/// <summary>(b) Alarm when the last run lies more than <c>z</c> standard deviations above the mean of the 30 runs before it.</summary>
internal sealed class ZScoreGate(double z, int window) : IGate
{
    private readonly Queue<double> _window = new();

    public string Name => $"(b) z-score > {z} over last {window}";

    public int Reruns => 0;

    public bool Feed(double value, DateTimeOffset time, DateTimeOffset next, Func<DateTimeOffset, double> rerun)
    {
        var alarm = false;
        if (_window.Count == window)
        {
            var mean = _window.Average();
            var sd = Math.Sqrt(_window.Sum(v => (v - mean) * (v - mean)) / (window - 1));
            alarm = sd > 0 && (value - mean) / sd > z;
            _window.Dequeue();
        }

        _window.Enqueue(value);
        return alarm;
    }
}
