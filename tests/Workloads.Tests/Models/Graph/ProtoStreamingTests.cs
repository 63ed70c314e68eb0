using BenchDaemon.Workloads.Models.Graph;
using BenchDaemon.Workloads.Models.Graph.Proto;
using Google.Protobuf;

namespace BenchDaemon.Workloads.Tests.Models.Graph;

public sealed class ProtoStreamingTests
{
    [Fact]
    public void Initializer_TensorWithFieldsAfterRawDataAndUnknownFields_SplicesRawDataWhereGoogleProtobufWritesIt()
    {
        // Field 3 (segment) is not in BenchDaemon's onnx.proto subset: Google.Protobuf keeps it as an
        // unknown field and writes it last, after raw_data (9) and the known fields above it.
        var withUnknown = new TensorProto { Name = "t", DataType = 1, DocString = "after raw_data" };
        withUnknown.Dims.Add(2);
        withUnknown.ExternalData.Add(new StringStringEntryProto { Key = "k", Value = "v" });
        var bytes = withUnknown.ToByteArray().Concat(new byte[] { 0x1A, 0x02, 0x08, 0x01 }).ToArray();
        var header = TensorProto.Parser.ParseFrom(bytes);
        var full = header.Clone();
        byte[] raw = [1, 2, 3, 4, 5, 6, 7, 8];
        full.RawData = ByteString.CopyFrom(raw);

        var record = ProtoStreaming.Initializer(header, raw.Length);
        using var stream = new MemoryStream();
        record.WriteStart(stream);
        stream.Write(raw);
        record.WriteEnd(stream);

        var graph = new GraphProto();
        graph.Initializer.Add(full);
        Assert.Equal(graph.ToByteArray(), stream.ToArray());
        Assert.Equal(stream.Length, record.Size);
    }

    [Fact]
    public void WriteModel_InitializersOfAnotherLength_Throws()
    {
        var model = new ModelProto { IrVersion = 8, Graph = new GraphProto { Name = "g" } };
        using var stream = new MemoryStream();

        Assert.Throws<InvalidOperationException>(() => ProtoStreaming.WriteModel(stream, model, 5, s => s.Write([1, 2, 3])));
    }

    [Fact]
    public void Split_MessageThatHasTheField_Throws()
    {
        var tensor = new TensorProto { Name = "t", RawData = ByteString.CopyFrom(1, 2) };

        Assert.Throws<InvalidOperationException>(() => ProtoStreaming.Split(tensor, ProtoStreaming.RawDataField));
    }
}
