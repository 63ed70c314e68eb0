namespace BenchDaemon.Workloads.Inputs;

/// <summary>One value per colour channel, in R, G, B order (the order of the output planes).</summary>
/// <param name="R">Red channel.</param>
/// <param name="G">Green channel.</param>
/// <param name="B">Blue channel.</param>
public readonly record struct RgbTriple(float R, float G, float B)
{
    /// <summary>The value of channel <paramref name="channel"/> (0 = R, 1 = G, 2 = B).</summary>
    public float this[int channel] => channel switch
    {
        0 => R,
        1 => G,
        2 => B,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "channel is 0 (R), 1 (G) or 2 (B)"),
    };
}
