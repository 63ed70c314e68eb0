using BenchDaemon.Workloads.Models;

namespace BenchDaemon.Workloads.Tests.Canaries;

/// <summary>Tiny models written to a temporary directory for one test class.</summary>
public sealed class ModelFiles : IDisposable
{
    public ModelFiles()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("benchdaemon-models-").FullName;
        Mlp = Write("mlp.onnx", TinyModels.Mlp());
        MlpFp16 = Write("mlp-fp16.onnx", TinyModels.Mlp(float16: true));
        Tokens = Write("tokens.onnx", TinyModels.TokenClassifier());
    }

    public string Directory { get; }

    public string Mlp { get; }

    public string MlpFp16 { get; }

    public string Tokens { get; }

    public string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
