using System.Globalization;

namespace BenchDaemon.Tests.Support;

/// <summary>
/// What a process holds at one moment, read from <c>/proc/&lt;pid&gt;</c>: resident memory
/// (<c>VmRSS</c> of <c>status</c>), threads (<c>Threads</c> of <c>status</c>) and open file
/// descriptors (entries of <c>fd/</c>). See proc(5).
/// </summary>
public sealed record ProcessResources(double ResidentMebibytes, int Threads, int OpenFds)
{
    /// <summary>Reads <paramref name="pid"/>'s resources; null when the process is gone.</summary>
    public static ProcessResources? Read(int pid)
    {
        try
        {
            var rssKibibytes = -1L;
            var threads = -1;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    // "VmRSS:	  162684 kB": the kernel's kB are KiB.
                    rssKibibytes = long.Parse(line.AsSpan("VmRSS:".Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("Threads:", StringComparison.Ordinal))
                {
                    threads = int.Parse(line.AsSpan("Threads:".Length).Trim(), CultureInfo.InvariantCulture);
                }
            }

            var fds = Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;
            return rssKibibytes < 0 || threads < 0 ? null : new ProcessResources(rssKibibytes / 1024.0, threads, fds);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // the process exited between two reads
        }
    }
}
