using System.Runtime.InteropServices;

namespace BenchDaemon.Workloads.Cuda;

/// <summary>
/// The part of cuBLASLt (<c>libcublasLt.so.13</c> or <c>.12</c>) the GEMM canary uses: one
/// code path for every precision, FP8 included (plain <c>cublasGemmEx</c> has no FP8).
/// </summary>
internal static unsafe partial class CublasLt
{
    internal const string Library = "cublasLt";

    internal const int StatusSuccess = 0;
    internal const int StatusNotSupported = 15;

    // cudaDataType_t
    internal const int R32F = 0;
    internal const int R16F = 2;
    internal const int R8I = 3;
    internal const int R32I = 10;
    internal const int R16BF = 14;
    internal const int R8FE4M3 = 28;

    // cublasComputeType_t
    internal const int Compute32F = 68;
    internal const int Compute32I = 72;
    internal const int Compute32FFastTf32 = 77;

    // cublasLtMatmulDescAttributes_t and cublasOperation_t
    internal const int DescTransA = 3;
    internal const int DescTransB = 4;
    internal const int OpN = 0;
    internal const int OpT = 1;

    // cublasLtMatmulPreferenceAttributes_t
    internal const int PreferenceMaxWorkspaceBytes = 1;

    /// <summary>sizeof(cublasLtMatmulHeuristicResult_t): algo (8 × uint64), workspaceSize, state, wavesCount, reserved[4].</summary>
    internal const int HeuristicResultSize = 96;

    /// <summary>Offset of <c>state</c> in the heuristic result.</summary>
    internal const int HeuristicStateOffset = 72;

    [LibraryImport(Library, EntryPoint = "cublasLtGetVersion")]
    internal static partial nuint GetVersion();

    [LibraryImport(Library, EntryPoint = "cublasLtGetStatusName")]
    internal static partial nint GetStatusName(int status);

    [LibraryImport(Library, EntryPoint = "cublasLtCreate")]
    internal static partial int Create(out nint handle);

    [LibraryImport(Library, EntryPoint = "cublasLtDestroy")]
    internal static partial int Destroy(nint handle);

    [LibraryImport(Library, EntryPoint = "cublasLtMatmulDescCreate")]
    internal static partial int MatmulDescCreate(out nint description, int computeType, int scaleType);

    [LibraryImport(Library, EntryPoint = "cublasLtMatmulDescDestroy")]
    internal static partial int MatmulDescDestroy(nint description);

    [LibraryImport(Library, EntryPoint = "cublasLtMatmulDescSetAttribute")]
    internal static partial int MatmulDescSetAttribute(nint description, int attribute, void* value, nuint size);

    [LibraryImport(Library, EntryPoint = "cublasLtMatrixLayoutCreate")]
    internal static partial int MatrixLayoutCreate(out nint layout, int type, ulong rows, ulong columns, long leadingDimension);

    [LibraryImport(Library, EntryPoint = "cublasLtMatrixLayoutDestroy")]
    internal static partial int MatrixLayoutDestroy(nint layout);

    [LibraryImport(Library, EntryPoint = "cublasLtMatmulPreferenceCreate")]
    internal static partial int MatmulPreferenceCreate(out nint preference);

    [LibraryImport(Library, EntryPoint = "cublasLtMatmulPreferenceDestroy")]
    internal static partial int MatmulPreferenceDestroy(nint preference);

    [LibraryImport(Library, EntryPoint = "cublasLtMatmulPreferenceSetAttribute")]
    internal static partial int MatmulPreferenceSetAttribute(nint preference, int attribute, void* value, nuint size);

    [LibraryImport(Library, EntryPoint = "cublasLtMatmulAlgoGetHeuristic")]
    internal static partial int MatmulAlgoGetHeuristic(nint handle, nint description, nint a, nint b, nint c, nint d, nint preference, int requested, byte* results, out int returned);

    [LibraryImport(Library, EntryPoint = "cublasLtMatmul")]
    internal static partial int Matmul(nint handle, nint description, void* alpha, ulong a, nint aLayout, ulong b, nint bLayout, void* beta, ulong c, nint cLayout, ulong d, nint dLayout, byte* algorithm, ulong workspace, nuint workspaceBytes, nint stream);

    /// <summary>cuBLAS's name for <paramref name="status"/> (for example <c>CUBLAS_STATUS_EXECUTION_FAILED</c>).</summary>
    internal static string StatusName(int status)
    {
        try
        {
            if (GetStatusName(status) is var name && name != 0 && Marshal.PtrToStringUTF8(name) is { Length: > 0 } text)
            {
                return text;
            }
        }
        catch (EntryPointNotFoundException)
        {
        }

        return "CUBLAS_STATUS_" + status.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
