using BenchDaemon.Workloads.Models.Graph;
using BenchDaemon.Workloads.Models.Graph.Proto;
using Google.Protobuf;

namespace BenchDaemon.Bench.Corpus;

/// <summary>One value of a test data set (<c>input_K.pb</c> or <c>output_K.pb</c>), matched to the graph by its name.</summary>
internal abstract class TestValue(string name)
{
    public string Name { get; } = name;

    public abstract void Write(string path);

    public static TestValue Tensor(string name, Nd value) => new TensorValue(name, value);

    public static TestValue Sequence(string name, params Nd[] items) => new SequenceValue(name, items);

    public static TestValue Optional(string name, Nd? value) => new OptionalValue(name, value);

    public static TestValue Strings(string name, long[] shape, params string[] values) => new ProtoValue(name, OwnProto.StringTensor(name, shape, values));

    public static TestValue Map(string name, long[] keys, Nd values) => new ProtoValue(name, OwnProto.Map(name, keys, values));

    public static TestValue Map(string name, string[] keys, Nd values) => new ProtoValue(name, OwnProto.Map(name, keys, values));

    /// <summary>A value given as its ONNX message (an optional sequence, say).</summary>
    public static TestValue Raw(string name, IMessage message) => new ProtoValue(name, message);

    public static TestValue SequenceOfMaps(string name, params MapProto[] maps)
    {
        var sequence = new SequenceProto { Name = name, ElemType = (int)SequenceProto.Types.DataType.Map };
        sequence.MapValues.Add(maps);
        return new ProtoValue(name, sequence);
    }

    private sealed class TensorValue(string name, Nd value) : TestValue(name)
    {
        public override void Write(string path) => OnnxTestData.Write(path, Name, value.ToTest());
    }

    private sealed class SequenceValue(string name, Nd[] items) : TestValue(name)
    {
        public override void Write(string path) => OnnxTestData.WriteSequence(path, Name, items.Select(i => i.ToTest()));
    }

    private sealed class OptionalValue(string name, Nd? value) : TestValue(name)
    {
        public override void Write(string path) => OnnxTestData.WriteOptional(path, Name, value?.ToTest());
    }

    private sealed class ProtoValue(string name, IMessage message) : TestValue(name)
    {
        public override void Write(string path) => File.WriteAllBytes(path, message.ToByteArray());
    }
}
