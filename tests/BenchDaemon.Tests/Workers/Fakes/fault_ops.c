/*
 * Custom operators that fault the way native code in ONNX Runtime, CUDA or a driver can: a
 * worker running a model that uses one must die or hang, and the daemon must survive it.
 * Domain "benchdaemon.test", one float input and one float output each:
 *   Crash  - writes through a null pointer (SIGSEGV)
 *   Abort  - calls abort() (SIGABRT)
 *   Hang   - never returns (sleeps forever; ONNX Runtime's terminate flag cannot reach it);
 *            first it creates $TMPDIR/benchdaemon-fault-hang-PID (/tmp without TMPDIR), so
 *            that a test knows the worker is inside the native call
 *   Grow   - allocates and touches memory without bound (20 MiB every 10 ms, up to 8 GiB)
 * Built by the tests with cc against ONNX Runtime's own C API header.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "onnxruntime_c_api.h"

/* Any API version with custom operators will do: only old entry points are used. */
#define FAULT_API_VERSION 16
/* The custom-op struct version; the callbacks of later versions are all set below. */
#define FAULT_OP_VERSION 16

static const char *op_name(const OrtCustomOp *op);

static void *create_kernel(const OrtCustomOp *op, const OrtApi *api, const OrtKernelInfo *info)
{
    (void)api;
    (void)info;
    return (void *)op;
}

static const char *provider(const OrtCustomOp *op)
{
    (void)op;
    return NULL; /* CPU */
}

static ONNXTensorElementDataType float_type(const OrtCustomOp *op, size_t index)
{
    (void)op;
    (void)index;
    return ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
}

static size_t one(const OrtCustomOp *op)
{
    (void)op;
    return 1;
}

static void mark_hanging(void)
{
    const char *tmp = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/benchdaemon-fault-hang-%ld", tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp", (long)getpid());
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    if (fd >= 0) {
        close(fd);
    }
}

static void compute(void *kernel, OrtKernelContext *context)
{
    (void)context;
    const char *name = op_name((const OrtCustomOp *)kernel);
    if (strcmp(name, "Crash") == 0) {
        volatile int *nowhere = NULL;
        *nowhere = 42;
    } else if (strcmp(name, "Abort") == 0) {
        abort();
    } else if (strcmp(name, "Hang") == 0) {
        mark_hanging();
        for (;;) {
            sleep(1);
        }
    } else if (strcmp(name, "Grow") == 0) {
        const size_t chunk = 20u << 20;
        for (size_t total = 0; total < ((size_t)8 << 30); total += chunk) {
            char *block = malloc(chunk);
            if (block == NULL) {
                break;
            }
            memset(block, 1, chunk);
            usleep(10000);
        }
        for (;;) {
            sleep(1);
        }
    }
}

static void destroy(void *kernel)
{
    (void)kernel;
}

static OrtCustomOpInputOutputCharacteristic required(const OrtCustomOp *op, size_t index)
{
    (void)op;
    (void)index;
    return INPUT_OUTPUT_REQUIRED;
}

static OrtMemType default_memory(const OrtCustomOp *op, size_t index)
{
    (void)op;
    (void)index;
    return OrtMemTypeDefault;
}

static int arity(const OrtCustomOp *op)
{
    (void)op;
    return 1;
}

#define FAULT_OP(op_type)                                                                      \
    {                                                                                           \
        .version = FAULT_OP_VERSION, .CreateKernel = create_kernel, .GetName = op_name,         \
        .GetExecutionProviderType = provider, .GetInputType = float_type, .GetInputTypeCount = one, \
        .GetOutputType = float_type, .GetOutputTypeCount = one, .KernelCompute = compute,        \
        .KernelDestroy = destroy, .GetInputCharacteristic = required,                            \
        .GetOutputCharacteristic = required, .GetInputMemoryType = default_memory,               \
        .GetVariadicInputMinArity = arity, .GetVariadicInputHomogeneity = arity,                 \
        .GetVariadicOutputMinArity = arity, .GetVariadicOutputHomogeneity = arity,               \
    }

static OrtCustomOp s_ops[] = { FAULT_OP(Crash), FAULT_OP(Abort), FAULT_OP(Hang), FAULT_OP(Grow) };
static const char *s_names[] = { "Crash", "Abort", "Hang", "Grow" };

static const char *op_name(const OrtCustomOp *op)
{
    return s_names[op - s_ops];
}

OrtStatus *ORT_API_CALL RegisterCustomOps(OrtSessionOptions *options, const OrtApiBase *api_base)
{
    const OrtApi *api = api_base->GetApi(FAULT_API_VERSION);
    OrtCustomOpDomain *domain = NULL;
    OrtStatus *status = api->CreateCustomOpDomain("benchdaemon.test", &domain);
    if (status != NULL) {
        return status;
    }
    for (size_t i = 0; i < sizeof(s_ops) / sizeof(s_ops[0]); i++) {
        status = api->CustomOpDomain_Add(domain, &s_ops[i]);
        if (status != NULL) {
            return status;
        }
    }
    return api->AddCustomOpDomain(options, domain);
}
