using System.Buffers.Binary;
using System.Text;
using BenchDaemon.Workloads.Cuda;

namespace BenchDaemon.Workloads.Tests.Cuda;

public sealed class LdCacheTests
{
    private const int X8664 = 0x0303;
    private const int I386 = 0x0003;

    [Fact]
    public void Read_ThisHostsCache_HasTheCLibrary()
    {
        var entries = LdCache.Read();

        Assert.True(entries.TryGetValue("libc.so.6", out var path), "libc.so.6 is in every glibc system's cache");
        Assert.True(File.Exists(path), path);
    }

    [Fact]
    public void Parse_NewFormat_KeepsThisArchitectureAndTheFirstEntryOfASoname()
    {
        var cache = NewFormat(("libcudnn.so.9", "/usr/lib/x86_64-linux-gnu/libcudnn.so.9", X8664), ("libcudnn.so.9", "/opt/second/libcudnn.so.9", X8664), ("libfoo.so.1", "/usr/lib32/libfoo.so.1", I386));

        var entries = LdCache.Parse(cache, 0x0300);

        Assert.Equal(new Dictionary<string, string> { ["libcudnn.so.9"] = "/usr/lib/x86_64-linux-gnu/libcudnn.so.9" }, entries);
    }

    [Fact]
    public void Parse_OldFormatBeforeTheNew_SkipsToTheNewTable()
    {
        var modern = NewFormat(("libcudart.so.13", "/usr/local/cuda/lib64/libcudart.so.13", X8664));
        var old = new byte[16 + 12 + 4]; // "ld.so-1.7.0", nlibs = 1, one 12-byte entry, padding to 8
        Encoding.ASCII.GetBytes("ld.so-1.7.0").CopyTo(old, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(old.AsSpan(12), 1);

        var entries = LdCache.Parse([.. old, .. modern], 0x0300);

        Assert.Equal("/usr/local/cuda/lib64/libcudart.so.13", entries["libcudart.so.13"]);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 1, 2, 3 })]
    public void Parse_NotACache_Empty(byte[] data) => Assert.Empty(LdCache.Parse(data, 0x0300));

    private static byte[] NewFormat(params (string Key, string Value, int Flags)[] libraries)
    {
        const int header = 48;
        var strings = new List<byte>();
        var offsets = new List<(int Key, int Value)>();
        var stringsStart = header + (libraries.Length * 24);
        foreach (var (key, value, _) in libraries)
        {
            var k = stringsStart + strings.Count;
            strings.AddRange([.. Encoding.ASCII.GetBytes(key), 0]);
            var v = stringsStart + strings.Count;
            strings.AddRange([.. Encoding.ASCII.GetBytes(value), 0]);
            offsets.Add((k, v));
        }

        var data = new byte[stringsStart + strings.Count];
        Encoding.ASCII.GetBytes("glibc-ld.so.cache1.1").CopyTo(data, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(20), (uint)libraries.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(24), (uint)strings.Count);
        for (var i = 0; i < libraries.Length; i++)
        {
            var entry = data.AsSpan(header + (i * 24));
            BinaryPrimitives.WriteInt32LittleEndian(entry, libraries[i].Flags);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], (uint)offsets[i].Key);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], (uint)offsets[i].Value);
        }

        strings.ToArray().CopyTo(data, stringsStart);
        return data;
    }
}
