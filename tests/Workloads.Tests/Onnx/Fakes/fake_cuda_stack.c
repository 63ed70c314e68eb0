/*
 * Stand-ins for the CUDA 13 stack that ONNX Runtime 1.32's CUDA and TensorRT providers link
 * against, for BenchDaemon's provider-usability tests on machines without a GPU. Compiled once
 * per library with -DFAKE_<LIBRARY>, the soname as -Wl,-soname and, where the provider asks for
 * versioned symbols (cudaMalloc@libcudart.so.13), a version script naming that node.
 *
 * Every function the providers import exists, so the provider library loads (RTLD_NOW) as on a
 * real host; every CUDA runtime call then fails the way it does on a host whose driver sees no
 * GPU. Scripted through environment variables:
 *
 *   FAKE_CUDART_ERROR         what every CUDA runtime call returns (100 cudaErrorNoDevice;
 *                             35 cudaErrorInsufficientDriver)
 *   FAKE_CUDA_INIT            cuInit's result (0; 100 CUDA_ERROR_NO_DEVICE)
 *   FAKE_CUDA_DRIVER_VERSION  cuDriverGetVersion (13000 = CUDA 13.0)
 *   FAKE_CUDA_DEVICE_COUNT    cuDeviceGetCount (1)
 *   FAKE_CUDA_TRACE           a file each called function's name is appended to
 */
#include <stdio.h>
#include <stdlib.h>

static __attribute__((unused)) long env_long(const char *name, long fallback)
{
    const char *value = getenv(name);
    return value && *value ? strtol(value, NULL, 10) : fallback;
}

static void trace(const char *name)
{
    const char *path = getenv("FAKE_CUDA_TRACE");
    if (path && *path) {
        FILE *file = fopen(path, "a");
        if (file) { fprintf(file, "%s\n", name); fclose(file); }
    }
}

#define FAILING(name, code) int name(void) { trace(#name); return (int)(code); }

#if defined(FAKE_CUDART)
#define RUNTIME_ERROR env_long("FAKE_CUDART_ERROR", 100)
#define CUDART_CALLS(X) \
    X(cudaDeviceGetAttribute) X(cudaDeviceGetStreamPriorityRange) X(cudaDeviceSynchronize) X(cudaDriverGetVersion) \
    X(cudaEventCreate) X(cudaEventCreateWithFlags) X(cudaEventDestroy) X(cudaEventElapsedTime) X(cudaEventQuery) \
    X(cudaEventRecord) X(cudaEventRecordWithFlags) X(cudaEventSynchronize) X(cudaFree) X(cudaFreeAsync) X(cudaFreeHost) \
    X(cudaFuncGetAttributes) X(cudaFuncSetAttribute) X(cudaGetDevice) X(cudaGetDeviceCount) X(cudaGetDeviceProperties) \
    X(cudaGetDriverEntryPointByVersion) X(cudaGetLastError) X(cudaGraphDestroy) X(cudaGraphExecDestroy) \
    X(cudaGraphInstantiate) X(cudaGraphLaunch) X(cudaHostAlloc) X(cudaHostGetDevicePointer) X(cudaHostRegister) \
    X(cudaHostUnregister) X(cudaKernelSetAttributeForDevice) X(cudaLaunchCooperativeKernel) X(cudaLaunchHostFunc) \
    X(cudaLaunchKernel) X(cudaLaunchKernelExC) X(cudaLibraryGetKernel) X(cudaLibraryLoadData) X(cudaLibraryUnload) \
    X(cudaMalloc) X(cudaMallocFromPoolAsync) X(cudaMallocHost) X(cudaMemGetInfo) X(cudaMemPoolCreate) \
    X(cudaMemPoolDestroy) X(cudaMemPoolGetAttribute) X(cudaMemPoolSetAttribute) X(cudaMemPoolTrimTo) X(cudaMemcpy) \
    X(cudaMemcpy2DAsync) X(cudaMemcpyAsync) X(cudaMemcpyFromSymbol) X(cudaMemset) X(cudaMemset2DAsync) \
    X(cudaMemsetAsync) X(cudaOccupancyMaxActiveBlocksPerMultiprocessorWithFlags) X(cudaPeekAtLastError) \
    X(cudaPointerGetAttributes) X(cudaSetDevice) X(cudaStreamBeginCapture) X(cudaStreamCreate) \
    X(cudaStreamCreateWithFlags) X(cudaStreamCreateWithPriority) X(cudaStreamDestroy) X(cudaStreamEndCapture) \
    X(cudaStreamIsCapturing) X(cudaStreamQuery) X(cudaStreamSynchronize) X(cudaStreamWaitEvent) \
    X(__cudaGetKernel) X(__cudaLaunchKernel) X(__cudaPopCallConfiguration) X(__cudaPushCallConfiguration)
#define CUDART_STUB(name) FAILING(name, RUNTIME_ERROR)
CUDART_CALLS(CUDART_STUB)

int cudaRuntimeGetVersion(int *version) { trace("cudaRuntimeGetVersion"); *version = 13000; return 0; }

const char *cudaGetErrorName(int error)
{
    switch (error) {
    case 0: return "cudaSuccess";
    case 2: return "cudaErrorMemoryAllocation";
    case 35: return "cudaErrorInsufficientDriver";
    case 100: return "cudaErrorNoDevice";
    default: return "cudaErrorUnknown";
    }
}

const char *cudaGetErrorString(int error)
{
    switch (error) {
    case 0: return "no error";
    case 2: return "out of memory";
    case 35: return "CUDA driver version is insufficient for CUDA runtime version";
    case 100: return "no CUDA-capable device is detected";
    default: return "unknown error";
    }
}

/* Called by every CUDA object file's static constructor when the provider library loads. */
static void *fat_binary_handle[1];
void **__cudaRegisterFatBinary(void *fat_cubin) { (void)fat_cubin; return fat_binary_handle; }
void __cudaRegisterFatBinaryEnd(void **handle) { (void)handle; }
void __cudaUnregisterFatBinary(void **handle) { (void)handle; }
void __cudaRegisterFunction(void) { }
void __cudaRegisterVar(void) { }
#endif

#if defined(FAKE_CUBLAS)
#define CUBLAS_CALLS(X) \
    X(cublasCreate_v2) X(cublasDestroy_v2) X(cublasDgeam) X(cublasDgemmBatched) X(cublasDgemmStridedBatched) \
    X(cublasDgemm_v2) X(cublasDgetrfBatched) X(cublasDgetriBatched) X(cublasGemmBatchedEx) X(cublasGemmEx) \
    X(cublasGemmStridedBatchedEx) X(cublasGetMathMode) X(cublasGetPointerMode_v2) X(cublasScopy_v2) \
    X(cublasSetMathMode) X(cublasSetPointerMode_v2) X(cublasSetStream_v2) X(cublasSgeam) X(cublasSgemmBatched) \
    X(cublasSgemmStridedBatched) X(cublasSgemm_v2) X(cublasSgetrfBatched) X(cublasSgetriBatched) X(cublasSscal_v2)
#define CUBLAS_STUB(name) FAILING(name, 1) /* CUBLAS_STATUS_NOT_INITIALIZED */
CUBLAS_CALLS(CUBLAS_STUB)
const char *cublasGetStatusName(int status) { (void)status; return "CUBLAS_STATUS_NOT_INITIALIZED"; }
const char *cublasGetStatusString(int status) { (void)status; return "the library was not initialized"; }
#endif

#if defined(FAKE_CUBLASLT)
#define CUBLASLT_CALLS(X) \
    X(cublasLtCreate) X(cublasLtDestroy) X(cublasLtMatmul) X(cublasLtMatmulAlgoConfigSetAttribute) \
    X(cublasLtMatmulAlgoGetHeuristic) X(cublasLtMatmulAlgoInit) X(cublasLtMatmulDescCreate) X(cublasLtMatmulDescDestroy) \
    X(cublasLtMatmulDescSetAttribute) X(cublasLtMatmulPreferenceCreate) X(cublasLtMatmulPreferenceDestroy) \
    X(cublasLtMatmulPreferenceSetAttribute) X(cublasLtMatrixLayoutCreate) X(cublasLtMatrixLayoutDestroy) \
    X(cublasLtMatrixLayoutSetAttribute) X(cublasLtMatrixTransform) X(cublasLtMatrixTransformDescCreate) \
    X(cublasLtMatrixTransformDescDestroy)
#define CUBLASLT_STUB(name) FAILING(name, 1)
CUBLASLT_CALLS(CUBLASLT_STUB)
#endif

#if defined(FAKE_CURAND)
/* The provider NEEDs libcurand.so.10 but imports nothing from it. */
FAILING(curandCreateGenerator, 203) /* CURAND_STATUS_INITIALIZATION_FAILED */
#endif

#if defined(FAKE_CUDNN)
FAILING(cudnnCreate, 1) FAILING(cudnnDestroy, 1) FAILING(cudnnSetStream, 1)
size_t cudnnGetVersion(void) { return 91700; }
const char *cudnnGetErrorString(int status) { (void)status; return "CUDNN_STATUS_NOT_INITIALIZED"; }
#endif

#if defined(FAKE_DRIVER)
#define DRIVER_CALLS(X) \
    X(cuCtxGetCurrent) X(cuCtxPopCurrent_v2) X(cuCtxPushCurrent_v2) X(cuCtxSetCurrent) X(cuDeviceGet) \
    X(cuDevicePrimaryCtxRelease_v2) X(cuDevicePrimaryCtxRetain) X(cuDeviceTotalMem_v2) X(cuMemGetInfo_v2) \
    X(cuTensorMapEncodeTiled)
#define DRIVER_STUB(name) FAILING(name, 100)
DRIVER_CALLS(DRIVER_STUB)
int cuInit(unsigned int flags) { (void)flags; trace("cuInit"); return (int)env_long("FAKE_CUDA_INIT", 0); }
int cuDriverGetVersion(int *version) { trace("cuDriverGetVersion"); *version = (int)env_long("FAKE_CUDA_DRIVER_VERSION", 13000); return 0; }
int cuDeviceGetCount(int *count) { trace("cuDeviceGetCount"); *count = (int)env_long("FAKE_CUDA_DEVICE_COUNT", 1); return 0; }
int cuGetErrorName(int error, const char **name) { *name = error == 100 ? "CUDA_ERROR_NO_DEVICE" : error == 35 ? "CUDA_ERROR_INSUFFICIENT_DRIVER" : "CUDA_ERROR_UNKNOWN"; return 0; }
int cuGetErrorString(int error, const char **text) { *text = error == 100 ? "no CUDA-capable device is detected" : "unknown error"; return 0; }
#endif

#if defined(FAKE_NVINFER)
FAILING(createInferBuilder_INTERNAL, 0) FAILING(createInferRefitter_INTERNAL, 0) FAILING(createInferRuntime_INTERNAL, 0)
FAILING(getPluginRegistry, 0)
int getInferLibVersion(void) { return 101501; }
#endif

#if defined(FAKE_NVONNXPARSER)
FAILING(createNvOnnxParser_INTERNAL, 0) FAILING(createNvOnnxParserRefitter_INTERNAL, 0)
#endif
