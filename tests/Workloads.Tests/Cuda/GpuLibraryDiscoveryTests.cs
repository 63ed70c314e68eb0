using BenchDaemon.Workloads.Cuda;

namespace BenchDaemon.Workloads.Tests.Cuda;

public sealed class GpuLibraryDiscoveryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("benchdaemon-discovery-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Find_PipWheelLayout_FindsCuda13CudnnAndTensorRtInTheirWheels()
    {
        var site = PipSitePackages("venv/lib/python3.12/site-packages");

        var report = Discovery(sitePackages: [site]).Find(GpuLibraryCatalogue.TensorRtProvider.Where(l => !l.DriverOnly));

        Assert.Equal(Path.Combine(site, "nvidia", "cu13", "lib", "libcudart.so.13"), report["libcudart.so.13"]!.Path);
        Assert.Equal(Path.Combine(site, "nvidia", "cu13", "lib", "libcublas.so.13"), report["libcublas.so.13"]!.Path);
        Assert.Equal(Path.Combine(site, "nvidia", "cudnn", "lib", "libcudnn.so.9"), report["libcudnn.so.9"]!.Path);
        Assert.Equal(Path.Combine(site, "nvidia", "cudnn", "lib", "libcudnn_graph.so.9"), report["libcudnn_graph.so.9"]!.Path);
        Assert.Equal(Path.Combine(site, "tensorrt_libs", "libnvinfer.so.10"), report["libnvinfer.so.10"]!.Path);
        Assert.Equal(Path.Combine(site, "tensorrt_libs", "libnvinfer_builder_resource.so.10.15.1"), report["libnvinfer_builder_resource.so.10"]!.Path);
        Assert.All(report.Libraries.Where(l => l.Found), l => Assert.Equal(GpuLibrarySource.PythonPackages, l.Source));
        Assert.Equal(4, report["libcudart.so.13"]!.SizeBytes);
        Assert.Null(report.Problem());
    }

    [Fact]
    public void Find_Cuda12PerLibraryWheels_FoundUnderNvidiaStarLib()
    {
        var site = Path.Combine(_root, "site-packages");
        Touch(site, "nvidia/cublas/lib/libcublasLt.so.12");

        var found = Discovery(sitePackages: [site]).Find(GpuLibraryCatalogue.CublasLtAnyVersion);

        Assert.Equal(Path.Combine(site, "nvidia", "cublas", "lib", "libcublasLt.so.12"), found.Path);
    }

    [Fact]
    public void Find_ConfiguredDirectory_PreferredOverCudaHomeAndPip()
    {
        var site = PipSitePackages("site-packages");
        var configured = Touch(Path.Combine(_root, "opt-cuda"), "libcudart.so.13", "libcudnn.so.9");
        var cudaHome = Path.Combine(_root, "cuda");
        Touch(cudaHome, "lib64/libcudart.so.13", "lib64/libcurand.so.10");

        var report = Discovery(configured: [configured], cudaHomes: [cudaHome], sitePackages: [site]).Find(GpuLibraryCatalogue.CudaProvider);

        Assert.Equal(Path.Combine(configured, "libcudart.so.13"), report["libcudart.so.13"]!.Path);
        Assert.Equal(GpuLibrarySource.Configured, report["libcudart.so.13"]!.Source);
        Assert.Equal(Path.Combine(configured, "libcudnn.so.9"), report["libcudnn.so.9"]!.Path);
        Assert.Equal(GpuLibrarySource.CudaHome, report["libcurand.so.10"]!.Source);
        Assert.Equal(GpuLibrarySource.PythonPackages, report["libcublas.so.13"]!.Source);
    }

    [Fact]
    public void Find_ConfiguredSitePackagesFolder_SearchedForItsWheels()
    {
        var site = PipSitePackages("custom/site-packages");

        var found = Discovery(configured: [site]).Find(new GpuLibrary("libcudnn.so.9", "cuDNN 9"));

        Assert.Equal(Path.Combine(site, "nvidia", "cudnn", "lib", "libcudnn.so.9"), found.Path);
        Assert.Equal(GpuLibrarySource.Configured, found.Source);
    }

    [Fact]
    public void Find_Driver_NeverFromCudaHomeOrPip()
    {
        var cudaHome = Path.Combine(_root, "cuda");
        Touch(cudaHome, "lib64/libcuda.so.1");
        var site = Path.Combine(_root, "site-packages");
        Touch(site, "nvidia/cu13/lib/libcuda.so.1");

        var found = Discovery(cudaHomes: [cudaHome], sitePackages: [site]).Find(GpuLibraryCatalogue.Driver);

        Assert.False(found.Found);
    }

    [Fact]
    public void Find_CublasLtForMicroCanaries_Cuda13AnywhereBeforeCuda12()
    {
        var configured = Touch(Path.Combine(_root, "configured"), "libcublasLt.so.12");
        var site = Path.Combine(_root, "site-packages");
        Touch(site, "nvidia/cu13/lib/libcublasLt.so.13");

        var found = Discovery(configured: [configured], sitePackages: [site]).Find(GpuLibraryCatalogue.CublasLtAnyVersion);

        Assert.Equal(Path.Combine(site, "nvidia", "cu13", "lib", "libcublasLt.so.13"), found.Path);
    }

    [Fact]
    public void Problem_NothingFound_NamesEveryMissingRequiredLibraryAndEveryPlaceInOrder()
    {
        var configured = Path.Combine(_root, "nothing-here");
        var loader = Directory.CreateDirectory(Path.Combine(_root, "ld")).FullName;

        var report = Discovery(configured: [configured], loader: [loader]).Find(GpuLibraryCatalogue.CudaProvider.Where(l => !l.DriverOnly));

        Assert.Equal(
            $"libcudart.so.13 (CUDA 13 runtime), libcublasLt.so.13 (cuBLASLt 13), libcublas.so.13 (cuBLAS 13), libcurand.so.10 (cuRAND), libcudnn.so.9 (cuDNN 9) not found; searched: {configured} (Cuda:LibraryDirectory), {loader} (loader path)",
            report.Problem());
    }

    [Fact]
    public void Find_LoaderCache_FindsWhatTheLoaderWould()
    {
        var discovery = new GpuLibraryDiscovery(new GpuSearchRoots { LdCachePath = LdCache.DefaultPath });

        var found = discovery.Find(new GpuLibrary("libc.so.6", "C library"));

        Assert.Equal(GpuLibrarySource.LoaderPath, found.Source);
        Assert.True(File.Exists(found.Path), found.Path);
    }

    [Fact]
    public void FromEnvironment_PythonCondaCudaHomeAndLoaderPath()
    {
        var venv = Path.Combine(_root, "venv");
        var venvSite = Directory.CreateDirectory(Path.Combine(venv, "lib", "python3.12", "site-packages")).FullName;
        var conda = Path.Combine(_root, "conda");
        var condaSite = Directory.CreateDirectory(Path.Combine(conda, "lib", "python3.11", "site-packages")).FullName;
        var pythonPath = Directory.CreateDirectory(Path.Combine(_root, "pythonpath")).FullName;
        var environment = new Dictionary<string, string>
        {
            ["VIRTUAL_ENV"] = venv, ["CONDA_PREFIX"] = conda, ["PYTHONPATH"] = pythonPath,
            ["CUDA_HOME"] = "/usr/local/cuda", ["CUDA_PATH"] = "/opt/cuda", ["LD_LIBRARY_PATH"] = "/a::relative:/b", ["HOME"] = _root,
        };

        var roots = GpuSearchRoots.FromEnvironment("/x:/y", n => environment.GetValueOrDefault(n));

        Assert.Equal(["/x", "/y"], roots.ConfiguredDirectories);
        Assert.Equal(["/usr/local/cuda", "/opt/cuda"], roots.CudaHomes);
        Assert.Equal([pythonPath, venvSite, condaSite], roots.SitePackages.Take(3));
        Assert.Equal([conda], roots.CondaPrefixes.Take(1));
        Assert.Equal(["/a", "/b"], roots.LoaderDirectories);
        Assert.Equal(LdCache.DefaultPath, roots.LdCachePath);
    }

    [Fact]
    public void Places_CudaHomeFoldersThenWheelsThenLoader_MissingFoldersLeftOutButConfiguredKept()
    {
        var cudaHome = Path.Combine(_root, "cuda");
        Touch(cudaHome, "lib64/x", "targets/x86_64-linux/lib/x");
        var site = PipSitePackages("site-packages");

        var places = Discovery(configured: ["/not/there"], cudaHomes: [cudaHome], sitePackages: [site]).Places.Select(p => p.Location).ToList();

        Assert.Equal(
            [
                "/not/there", Path.Combine(cudaHome, "lib64"), Path.Combine(cudaHome, "targets", "x86_64-linux", "lib"),
                Path.Combine(site, "nvidia", "cu13", "lib"), Path.Combine(site, "nvidia", "cudnn", "lib"), Path.Combine(site, "tensorrt_libs"),
            ],
            places);
    }

    /// <summary>A site-packages folder as `pip install nvidia-*-cu13 nvidia-cudnn-cu13 tensorrt-cu13` leaves it (files of 4 bytes).</summary>
    private string PipSitePackages(string relative)
    {
        var site = Path.Combine(_root, relative);
        Touch(site,
            "nvidia/cu13/lib/libcudart.so.13", "nvidia/cu13/lib/libcublas.so.13", "nvidia/cu13/lib/libcublasLt.so.13",
            "nvidia/cu13/lib/libcurand.so.10", "nvidia/cu13/lib/libcufft.so.12", "nvidia/cu13/lib/libnvrtc.so.13",
            "nvidia/cudnn/lib/libcudnn.so.9", "nvidia/cudnn/lib/libcudnn_graph.so.9", "nvidia/cudnn/lib/libcudnn_ops.so.9",
            "tensorrt_libs/libnvinfer.so.10", "tensorrt_libs/libnvinfer_plugin.so.10", "tensorrt_libs/libnvonnxparser.so.10",
            "tensorrt_libs/libnvinfer_builder_resource.so.10.15.1");
        return site;
    }

    private static string Touch(string directory, params string[] files)
    {
        foreach (var file in files)
        {
            var path = Path.Combine(directory, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, [0x7f, (byte)'E', (byte)'L', (byte)'F']);
        }

        return Directory.CreateDirectory(directory).FullName;
    }

    private static GpuLibraryDiscovery Discovery(string[]? configured = null, string[]? cudaHomes = null, string[]? sitePackages = null, string[]? loader = null) =>
        new(new GpuSearchRoots
        {
            ConfiguredDirectories = configured ?? [],
            CudaHomes = cudaHomes ?? [],
            SitePackages = sitePackages ?? [],
            LoaderDirectories = loader ?? [],
        });
}
