using BenchDaemon.History;

namespace BenchDaemon.Tests.History;

public sealed class SampleCodecTests
{
    [Fact]
    public void EncodeDecode_Latencies_RoundTripAsFloat32AndCompress()
    {
        var random = new Random(7);
        var samples = Enumerable.Range(0, 5000).Select(_ => 0.004 + (0.0005 * random.NextDouble())).ToArray();

        var encoded = SampleCodec.Encode(samples);
        var decoded = SampleCodec.Decode(encoded);

        Assert.Equal(samples.Length, decoded.Length);
        Assert.All(samples.Zip(decoded), p => Assert.Equal((double)(float)p.First, p.Second));
        Assert.True(encoded.Length < samples.Length * 4, $"{encoded.Length} bytes for {samples.Length} samples");
    }

    [Fact]
    public void Decode_UnknownVersion_Throws()
    {
        Assert.Throws<InvalidDataException>(() => SampleCodec.Decode([9, 1, 2]));
    }
}
