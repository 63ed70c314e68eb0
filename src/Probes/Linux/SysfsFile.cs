using System.Globalization;
using System.Text;

namespace BenchDaemon.Probes.Linux;

/// <summary>Reads the one-value files of sysfs without allocating strings for numbers.</summary>
internal static class SysfsFile
{
    // A sysfs attribute holds one value and a newline; u64 has at most 20 digits.
    private const int MaxValueLength = 64;

    /// <summary>Reads a file holding one unsigned decimal number.</summary>
    /// <exception cref="FormatException">The file does not hold a number.</exception>
    public static ulong ReadUInt64(string path)
    {
        Span<byte> buffer = stackalloc byte[MaxValueLength];
        int length;
        using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            length = RandomAccess.Read(handle, buffer, fileOffset: 0);
        }

        var value = buffer[..length];
        value = value[Ascii.Trim(value)];
        if (length == buffer.Length
            || !ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong number))
        {
            throw new FormatException($"{path} does not hold an unsigned number: '{Encoding.ASCII.GetString(value)}'.");
        }

        return number;
    }

    /// <summary>Reads a file holding one line of text, without the newline.</summary>
    public static string ReadLine(string path) => File.ReadAllText(path).Trim();
}
