/*
 * A stand-in for cuBLASLt (libcublasLt.so.13) for BenchDaemon's tests. A matmul queues
 * FAKE_CUBLAS_MATMUL_US microseconds of work on the fake driver's virtual clock.
 *
 *   FAKE_CUBLAS_MATMUL_US   microseconds per cublasLtMatmul (1000)
 *   FAKE_CUBLAS_FAIL_AT     n-th cublasLtMatmul returns CUBLAS_STATUS_EXECUTION_FAILED
 *   FAKE_CUBLAS_HEURISTIC   status of cublasLtMatmulAlgoGetHeuristic (15 = CUBLAS_STATUS_NOT_SUPPORTED)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void fake_cuda_spend(long microseconds);
void fake_cuda_count(int delta);

static long matmul_calls;

static long env_long(const char *name, long fallback)
{
    const char *value = getenv(name);
    return value && *value ? strtol(value, NULL, 10) : fallback;
}

static int create(void **object) { *object = malloc(8); fake_cuda_count(1); return 0; }
static int destroy(void *object) { free(object); fake_cuda_count(-1); return 0; }

size_t cublasLtGetVersion(void) { return 130100; }

const char *cublasLtGetStatusName(int status)
{
    switch (status) {
    case 0: return "CUBLAS_STATUS_SUCCESS";
    case 13: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case 15: return "CUBLAS_STATUS_NOT_SUPPORTED";
    default: return "CUBLAS_STATUS_UNKNOWN";
    }
}

int cublasLtCreate(void **handle) { return create(handle); }
int cublasLtDestroy(void *handle) { return destroy(handle); }
int cublasLtMatmulDescCreate(void **description, int compute, int scale) { (void)compute; (void)scale; return create(description); }
int cublasLtMatmulDescDestroy(void *description) { return destroy(description); }
int cublasLtMatmulDescSetAttribute(void *description, int attribute, const void *value, size_t size) { (void)description; (void)attribute; (void)value; (void)size; return 0; }
int cublasLtMatrixLayoutCreate(void **layout, int type, uint64_t rows, uint64_t columns, int64_t ld) { (void)type; (void)rows; (void)columns; (void)ld; return create(layout); }
int cublasLtMatrixLayoutDestroy(void *layout) { return destroy(layout); }
int cublasLtMatmulPreferenceCreate(void **preference) { return create(preference); }
int cublasLtMatmulPreferenceDestroy(void *preference) { return destroy(preference); }
int cublasLtMatmulPreferenceSetAttribute(void *preference, int attribute, const void *value, size_t size) { (void)preference; (void)attribute; (void)value; (void)size; return 0; }

int cublasLtMatmulAlgoGetHeuristic(void *handle, void *description, void *a, void *b, void *c, void *d, void *preference,
                                   int requested, unsigned char *results, int *returned)
{
    (void)handle; (void)description; (void)a; (void)b; (void)c; (void)d; (void)preference;
    int status = (int)env_long("FAKE_CUBLAS_HEURISTIC", 0);
    if (status != 0) { *returned = 0; return status; }
    memset(results, 0, (size_t)requested * 96);
    *returned = 1;
    return 0;
}

int cublasLtMatmul(void *handle, void *description, const void *alpha, uint64_t a, void *a_layout, uint64_t b, void *b_layout,
                   const void *beta, uint64_t c, void *c_layout, uint64_t d, void *d_layout, const void *algorithm,
                   uint64_t workspace, size_t workspace_bytes, void *stream)
{
    (void)handle; (void)description; (void)alpha; (void)a; (void)a_layout; (void)b; (void)b_layout; (void)beta; (void)c;
    (void)c_layout; (void)d; (void)d_layout; (void)algorithm; (void)workspace; (void)workspace_bytes; (void)stream;
    matmul_calls++;
    if (matmul_calls == env_long("FAKE_CUBLAS_FAIL_AT", 0)) return 13;
    fake_cuda_spend(env_long("FAKE_CUBLAS_MATMUL_US", 1000));
    return 0;
}
