using BenchDaemon.Workloads.Cuda;

namespace BenchDaemon.Workloads.Tests.Cuda;

public sealed class CudaLibrariesTests
{
    [Fact]
    public void DriverCandidates_ConfiguredDirectoryFirstThenTheSonameOnTheSystemPath()
    {
        Assert.Equal(["/opt/cuda-libs/libcuda.so.1", "libcuda.so.1"], CudaLibraries.DriverCandidates("/opt/cuda-libs"));
        Assert.Equal(["libcuda.so.1"], CudaLibraries.DriverCandidates(null));
        Assert.Equal(["libcuda.so.1"], CudaLibraries.DriverCandidates("  "));
    }

    [Fact]
    public void DriverCandidates_NeverTheToolkitStubUnderCudaHome()
    {
        Assert.DoesNotContain(CudaLibraries.DriverCandidates("/opt/x"), c => c.Contains("stubs", StringComparison.Ordinal) || c.Contains("lib64", StringComparison.Ordinal));
    }

    [Fact]
    public void CublasLtCandidates_ConfiguredDirectoryThenCudaHomeThenSystem_Cuda13BeforeCuda12()
    {
        Assert.Equal(
            [
                "/opt/libs/libcublasLt.so.13", "/opt/libs/libcublasLt.so.12",
                "/usr/local/cuda/lib64/libcublasLt.so.13", "/usr/local/cuda/lib64/libcublasLt.so.12",
                "libcublasLt.so.13", "libcublasLt.so.12",
            ],
            CudaLibraries.CublasLtCandidates("/opt/libs", "/usr/local/cuda"));
    }

    [Fact]
    public void CublasLtCandidates_NothingConfigured_SystemSonamesOnly()
    {
        Assert.Equal(["libcublasLt.so.13", "libcublasLt.so.12"], CudaLibraries.CublasLtCandidates(null, ""));
        Assert.Equal(["/cuda/lib64/libcublasLt.so.13", "/cuda/lib64/libcublasLt.so.12", "libcublasLt.so.13", "libcublasLt.so.12"], CudaLibraries.CublasLtCandidates(null, "/cuda"));
    }
}
