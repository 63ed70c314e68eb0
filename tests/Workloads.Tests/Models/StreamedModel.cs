using BenchDaemon.Workloads.Models.Graph.Proto;
using Google.Protobuf;

namespace BenchDaemon.Workloads.Tests.Models;

/// <summary>Checks a model generator's streaming <c>Write</c> against its in-memory <c>Build</c>.</summary>
internal static class StreamedModel
{
    /// <summary>
    /// Asserts that <paramref name="write"/> (destination, scratch directory) writes exactly
    /// <paramref name="built"/>, that those are the bytes Google.Protobuf gives for the whole
    /// model, and that the scratch directory is empty afterwards.
    /// </summary>
    public static void AssertWritesTheBytesOf(byte[] built, Action<Stream, string> write)
    {
        var scratch = Directory.CreateTempSubdirectory("benchdaemon-streamed-");
        try
        {
            using var stream = new MemoryStream();
            write(stream, scratch.FullName);

            Assert.Equal(built, stream.ToArray());
            Assert.Equal(ModelProto.Parser.ParseFrom(built).ToByteArray(), built);
            Assert.Empty(scratch.GetFileSystemInfos());
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }
}
