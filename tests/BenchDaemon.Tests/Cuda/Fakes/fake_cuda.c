/*
 * A stand-in for the CUDA driver (libcuda.so.1) for BenchDaemon's tests: just enough of the
 * driver API for the micro-canaries, scripted through environment variables.
 *
 * Work queued on a stream sleeps for a scripted time and advances a virtual GPU clock by
 * exactly that time; events record the clock, so elapsed times, and with them the canaries'
 * arithmetic, are exact. Resources are counted and the counts appended to FAKE_CUDA_LOG at
 * every primary-context release, so a test can check that everything was released.
 *
 *   FAKE_CUDA_INIT         result of cuInit (100 = CUDA_ERROR_NO_DEVICE)
 *   FAKE_CUDA_NAME         device name          FAKE_CUDA_CC   compute capability (90)
 *   FAKE_CUDA_FREE_MIB     free device memory   FAKE_CUDA_ALLOC_FAIL_AT  n-th cuMemAlloc fails (out of memory)
 *   FAKE_CUDA_D2D_US / FAKE_CUDA_H2D_US / FAKE_CUDA_D2H_US   microseconds per async copy
 *   FAKE_CUDA_SYNC_FAIL_AT n-th cuEventSynchronize fails with CUDA_ERROR_ILLEGAL_ADDRESS, or with
 *                          FAKE_CUDA_SYNC_FAIL_CODE (46: CUDA_ERROR_DEVICE_UNAVAILABLE, the GPU gone mid-run)
 *   FAKE_CUDA_LOG          file for the resource counts
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct { double at_us; } fake_event;

static double clock_us;
static uint64_t next_pointer = 0x100000000ull;
static long alloc_calls, sync_calls;
static long counts[8];
enum { DEVICE_MEMORY, HOST_MEMORY, EVENTS, STREAMS, CONTEXTS, BLAS_OBJECTS };

static long env_long(const char *name, long fallback)
{
    const char *value = getenv(name);
    return value && *value ? strtol(value, NULL, 10) : fallback;
}

static void spend(long microseconds)
{
    struct timespec pause = { microseconds / 1000000, (microseconds % 1000000) * 1000 };
    nanosleep(&pause, NULL);
    clock_us += (double)microseconds;
}

/* Called by the fake cuBLASLt: queue work of the given length, count its objects. */
void fake_cuda_spend(long microseconds) { spend(microseconds); }
void fake_cuda_count(int delta) { counts[BLAS_OBJECTS] += delta; }

int cuInit(unsigned int flags) { (void)flags; return (int)env_long("FAKE_CUDA_INIT", 0); }
int cuDriverGetVersion(int *version) { *version = 13000; return 0; }

int cuGetErrorName(int error, const char **name)
{
    switch (error) {
    case 0: *name = "CUDA_SUCCESS"; return 0;
    case 2: *name = "CUDA_ERROR_OUT_OF_MEMORY"; return 0;
    case 35: *name = "CUDA_ERROR_INSUFFICIENT_DRIVER"; return 0;
    case 46: *name = "CUDA_ERROR_DEVICE_UNAVAILABLE"; return 0;
    case 100: *name = "CUDA_ERROR_NO_DEVICE"; return 0;
    case 700: *name = "CUDA_ERROR_ILLEGAL_ADDRESS"; return 0;
    default: *name = NULL; return 1;
    }
}

int cuDeviceGetCount(int *count) { *count = (int)env_long("FAKE_CUDA_DEVICE_COUNT", 1); return 0; }
int cuDeviceGet(int *device, int ordinal) { *device = ordinal; return 0; }

int cuDeviceGetName(char *name, int length, int device)
{
    (void)device;
    const char *value = getenv("FAKE_CUDA_NAME");
    snprintf(name, (size_t)length, "%s", value ? value : "NVIDIA H100 80GB HBM3");
    return 0;
}

int cuDeviceGetAttribute(int *value, int attribute, int device)
{
    (void)device;
    long cc = env_long("FAKE_CUDA_CC", 90);
    if (attribute == 75) { *value = (int)(cc / 10); return 0; }
    if (attribute == 76) { *value = (int)(cc % 10); return 0; }
    return 1;
}

int cuDeviceGetPCIBusId(char *bus_id, int length, int device)
{
    (void)device;
    snprintf(bus_id, (size_t)length, "0000:3B:00.0");
    return 0;
}

static void log_counts(void)
{
    const char *path = getenv("FAKE_CUDA_LOG");
    FILE *file = path ? fopen(path, "a") : NULL;
    if (!file) return;
    fprintf(file, "device_memory=%ld host_memory=%ld events=%ld streams=%ld contexts=%ld blas_objects=%ld\n",
            counts[DEVICE_MEMORY], counts[HOST_MEMORY], counts[EVENTS], counts[STREAMS], counts[CONTEXTS], counts[BLAS_OBJECTS]);
    fclose(file);
}

int cuDevicePrimaryCtxRetain(void **context, int device) { (void)device; *context = (void *)0x1; counts[CONTEXTS]++; return 0; }
int cuDevicePrimaryCtxRelease_v2(int device) { (void)device; counts[CONTEXTS]--; log_counts(); return 0; }
int cuCtxSetCurrent(void *context) { (void)context; return 0; }

int cuMemGetInfo_v2(size_t *free_bytes, size_t *total)
{
    *free_bytes = (size_t)env_long("FAKE_CUDA_FREE_MIB", 81920) << 20;
    *total = (size_t)81920 << 20;
    return 0;
}

int cuMemAlloc_v2(uint64_t *pointer, size_t bytes)
{
    alloc_calls++;
    if (alloc_calls == env_long("FAKE_CUDA_ALLOC_FAIL_AT", 0)) return 2;
    *pointer = next_pointer;
    next_pointer += (bytes + 0xFFFFF) & ~(uint64_t)0xFFFFF;
    counts[DEVICE_MEMORY]++;
    return 0;
}

int cuMemFree_v2(uint64_t pointer) { (void)pointer; counts[DEVICE_MEMORY]--; return 0; }

int cuMemAllocHost_v2(void **pointer, size_t bytes)
{
    *pointer = malloc(bytes);
    if (!*pointer) return 2;
    counts[HOST_MEMORY]++;
    return 0;
}

int cuMemFreeHost(void *pointer) { free(pointer); counts[HOST_MEMORY]--; return 0; }

int cuMemcpyHtoD_v2(uint64_t destination, const void *source, size_t bytes) { (void)destination; (void)source; (void)bytes; return 0; }
int cuMemcpyHtoDAsync_v2(uint64_t d, const void *s, size_t n, void *stream) { (void)d; (void)s; (void)n; (void)stream; spend(env_long("FAKE_CUDA_H2D_US", 1000)); return 0; }
int cuMemcpyDtoHAsync_v2(void *d, uint64_t s, size_t n, void *stream) { (void)d; (void)s; (void)n; (void)stream; spend(env_long("FAKE_CUDA_D2H_US", 1000)); return 0; }
int cuMemcpyDtoDAsync_v2(uint64_t d, uint64_t s, size_t n, void *stream) { (void)d; (void)s; (void)n; (void)stream; spend(env_long("FAKE_CUDA_D2D_US", 1000)); return 0; }

int cuStreamCreate(void **stream, unsigned int flags) { (void)flags; *stream = malloc(1); counts[STREAMS]++; return 0; }
int cuStreamDestroy_v2(void *stream) { free(stream); counts[STREAMS]--; return 0; }
int cuStreamSynchronize(void *stream) { (void)stream; return 0; }

int cuEventCreate(fake_event **event, unsigned int flags) { (void)flags; *event = calloc(1, sizeof(fake_event)); counts[EVENTS]++; return 0; }
int cuEventDestroy_v2(fake_event *event) { free(event); counts[EVENTS]--; return 0; }
int cuEventRecord(fake_event *event, void *stream) { (void)stream; event->at_us = clock_us; return 0; }

int cuEventSynchronize(fake_event *event)
{
    (void)event;
    sync_calls++;
    return sync_calls == env_long("FAKE_CUDA_SYNC_FAIL_AT", 0) ? (int)env_long("FAKE_CUDA_SYNC_FAIL_CODE", 700) : 0;
}

int cuEventElapsedTime(float *milliseconds, fake_event *start, fake_event *end)
{
    *milliseconds = (float)((end->at_us - start->at_us) / 1000.0);
    return 0;
}
