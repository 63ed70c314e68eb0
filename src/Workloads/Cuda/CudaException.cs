namespace BenchDaemon.Workloads.Cuda;

/// <summary>A CUDA driver or cuBLASLt call that returned an error: the function and the library's name for the error.</summary>
public sealed class CudaException : Exception
{
    public CudaException()
    {
    }

    public CudaException(string message)
        : base(message)
    {
    }

    public CudaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal CudaException(string function, int code, string name)
        : base($"{function}: {name}")
    {
        Function = function;
        Code = code;
        ErrorName = name;
    }

    /// <summary>The API function that failed, for example <c>cuMemAlloc</c>.</summary>
    public string? Function { get; }

    /// <summary>The numeric error.</summary>
    public int Code { get; }

    /// <summary>The library's name of the error, for example <c>CUDA_ERROR_OUT_OF_MEMORY</c>.</summary>
    public string? ErrorName { get; }

    /// <summary>True for a cuBLASLt status rather than a driver error.</summary>
    public bool IsCublas => ErrorName?.StartsWith("CUBLAS_", StringComparison.Ordinal) == true;
}
