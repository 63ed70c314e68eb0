using System.Diagnostics;

namespace BenchDaemon.Tests.Support;

/// <summary>
/// A small tmpfs mounted on a fresh directory (the tests run as root): a disk that fills up
/// after a few hundred kilobytes, without touching the machine's own disks. Unmounted on dispose.
/// </summary>
public sealed class Tmpfs : IDisposable
{
    public Tmpfs(string mountPoint, int kilobytes)
    {
        Directory.CreateDirectory(mountPoint);
        Path = mountPoint;
        Run("mount", "-t", "tmpfs", "-o", $"size={kilobytes}k,mode=0700", "tmpfs", mountPoint);
    }

    public string Path { get; }

    /// <summary>Writes a file that takes every free byte; returns its path. Delete it to free the space.</summary>
    public string Fill()
    {
        var filler = System.IO.Path.Combine(Path, "filler");
        using var stream = new FileStream(filler, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 0);
        var block = new byte[4096];
        try
        {
            while (true)
            {
                stream.Write(block);
            }
        }
        catch (IOException)
        {
            // ENOSPC: the disk is full.
        }

        return filler;
    }

    /// <summary>Bytes free on the mount.</summary>
    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    public void Dispose() => Run("umount", "-l", Path);

    private static void Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)}: exit {process.ExitCode}: {error}");
        }
    }
}
