using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace BenchDaemon.Workloads.Cuda;

/// <summary>
/// Reads the dynamic loader's cache (<c>/etc/ld.so.cache</c>, written by ldconfig): the
/// soname → path table that a plain <c>dlopen("libcudnn.so.9")</c> consults after
/// <c>LD_LIBRARY_PATH</c>. Reading it finds a library on the loader path without loading it.
/// Format: glibc <c>elf/cache.c</c>, <c>struct cache_file_new</c> ("glibc-ld.so.cache1.1"),
/// possibly after the old-format table that glibc before 2.32 also wrote.
/// </summary>
public static class LdCache
{
    /// <summary>Where glibc keeps the cache.</summary>
    public const string DefaultPath = "/etc/ld.so.cache";

    private const string OldMagic = "ld.so-1.7.0";
    private const string NewMagic = "glibc-ld.so.cache1.1";
    private const int NewHeaderBytes = 48;
    private const int NewEntryBytes = 24;
    private const int OldEntryBytes = 12;

    // Entry flags (elf/cache.c, sysdeps/generic/ldconfig.h): the low byte is the type, the
    // next the architecture; a 64-bit x86 library is FLAG_ELF_LIBC6 | FLAG_X8664_LIB64.
    private const int TypeMask = 0x00ff;
    private const int ElfLibc6 = 0x0003;
    private const int ArchitectureMask = 0xff00;
    private const int X8664Lib64 = 0x0300;
    private const int AArch64Lib64 = 0x0a00;

    /// <summary>
    /// The cache's entries for this process's architecture, soname → path, first entry of a
    /// soname kept (ldconfig sorts the preferred one first). Empty for a missing or unreadable file.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Read(string path = DefaultPath)
    {
        try
        {
            return Parse(File.ReadAllBytes(path), NativeArchitecture());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }
    }

    /// <summary>Parses a cache file's bytes; <paramref name="architecture"/> is the entry flag of the wanted ABI (0 accepts any).</summary>
    public static IReadOnlyDictionary<string, string> Parse(ReadOnlySpan<byte> data, int architecture)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        var start = FindNewFormat(data);
        if (start < 0 || data.Length < start + NewHeaderBytes)
        {
            return entries;
        }

        var count = BinaryPrimitives.ReadUInt32LittleEndian(data[(start + 20)..]);
        var table = start + NewHeaderBytes;
        if (count > (uint)((data.Length - table) / NewEntryBytes))
        {
            return entries;
        }

        for (var i = 0; i < (int)count; i++)
        {
            var entry = data.Slice(table + (i * NewEntryBytes), NewEntryBytes);
            var flags = BinaryPrimitives.ReadInt32LittleEndian(entry);
            if ((flags & TypeMask) != ElfLibc6 || (architecture != 0 && (flags & ArchitectureMask) != architecture))
            {
                continue;
            }

            // In the new format, string offsets count from the start of the new-format header.
            var key = CString(data, start + (int)BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]));
            var value = CString(data, start + (int)BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]));
            if (key is { Length: > 0 } && value is { Length: > 0 })
            {
                entries.TryAdd(key, value);
            }
        }

        return entries;
    }

    /// <summary>The entry flag of this process's architecture, 0 where the cache layout is not known to this reader.</summary>
    public static int NativeArchitecture() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => X8664Lib64,
        Architecture.Arm64 => AArch64Lib64,
        _ => 0,
    };

    private static int FindNewFormat(ReadOnlySpan<byte> data)
    {
        if (StartsWith(data, NewMagic))
        {
            return 0;
        }

        if (!StartsWith(data, OldMagic) || data.Length < 16)
        {
            return -1;
        }

        // Old header: magic[11], padding to 12, nlibs; then nlibs 12-byte entries; then the new
        // format, 8-byte aligned.
        var count = BinaryPrimitives.ReadUInt32LittleEndian(data[12..]);
        var end = 16L + (count * (long)OldEntryBytes);
        var aligned = (int)((end + 7) & ~7L);
        return aligned < data.Length && StartsWith(data[aligned..], NewMagic) ? aligned : -1;
    }

    private static bool StartsWith(ReadOnlySpan<byte> data, string magic) =>
        data.Length >= magic.Length && data[..magic.Length].SequenceEqual(Encoding.ASCII.GetBytes(magic));

    private static string? CString(ReadOnlySpan<byte> data, int offset)
    {
        if (offset < 0 || offset >= data.Length)
        {
            return null;
        }

        var end = data[offset..].IndexOf((byte)0);
        return end < 0 ? null : Encoding.UTF8.GetString(data.Slice(offset, end));
    }
}
