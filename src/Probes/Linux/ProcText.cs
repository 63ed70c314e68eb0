namespace BenchDaemon.Probes.Linux;

/// <summary>Allocation-free tokenising of the whitespace-separated text the kernel writes in /proc.</summary>
internal static class ProcText
{
    /// <summary>
    /// Returns the next token of <paramref name="rest"/> (delimited by spaces or tabs) and advances
    /// <paramref name="rest"/> past it; an empty span when nothing is left.
    /// </summary>
    public static ReadOnlySpan<char> NextToken(ref ReadOnlySpan<char> rest)
    {
        rest = rest.TrimStart();
        int end = rest.IndexOfAny(' ', '\t');
        if (end < 0)
        {
            var last = rest;
            rest = default;
            return last;
        }

        var token = rest[..end];
        rest = rest[end..];
        return token;
    }
}
