using BenchDaemon.Workloads.Onnx;

namespace BenchDaemon.Workloads.Tests.Onnx;

public sealed class OnnxRuntimeInfoTests
{
    [Fact]
    public void Version_BundledNativeLibrary_IsLoadedAndOffersCpu()
    {
        var info = new OnnxRuntimeInfo();

        Assert.Null(info.Error);
        Assert.Matches(@"^\d+\.\d+\.\d+$", info.Version);
        Assert.Contains("CPUExecutionProvider", info.Providers);
    }
}
