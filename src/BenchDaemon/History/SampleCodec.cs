using System.Buffers.Binary;
using System.IO.Compression;

namespace BenchDaemon.History;

/// <summary>
/// Raw per-call latencies, compactly: each sample as float32 seconds (about 7 significant
/// digits, far below timer resolution at these scales), XOR-ed with the previous one so that
/// similar latencies share their leading bits as zeros, then Brotli. Lossless for the float32
/// values; typically 1–2 bytes per sample instead of 8.
/// </summary>
public static class SampleCodec
{
    private const byte Version = 1;

    /// <summary>Encodes <paramref name="samples"/> (seconds).</summary>
    public static byte[] Encode(IReadOnlyList<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var raw = new byte[samples.Count * 4];
        uint previous = 0;
        for (var i = 0; i < samples.Count; i++)
        {
            var bits = BitConverter.SingleToUInt32Bits((float)samples[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(i * 4), bits ^ previous);
            previous = bits;
        }

        using var output = new MemoryStream();
        output.WriteByte(Version);
        using (var brotli = new BrotliStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            brotli.Write(raw);
        }

        return output.ToArray();
    }

    /// <summary>Decodes what <see cref="Encode"/> wrote.</summary>
    public static double[] Decode(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length == 0)
        {
            return [];
        }

        if (encoded[0] != Version)
        {
            throw new InvalidDataException($"unknown sample encoding version {encoded[0]}");
        }

        using var input = new MemoryStream(encoded[1..].ToArray());
        using var brotli = new BrotliStream(input, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        brotli.CopyTo(raw);
        var bytes = raw.GetBuffer().AsSpan(0, (int)raw.Length);
        if (bytes.Length % 4 != 0)
        {
            throw new InvalidDataException("sample block is not a whole number of float32 values");
        }

        var samples = new double[bytes.Length / 4];
        uint previous = 0;
        for (var i = 0; i < samples.Length; i++)
        {
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(i * 4)..]) ^ previous;
            samples[i] = BitConverter.UInt32BitsToSingle(bits);
            previous = bits;
        }

        return samples;
    }
}
