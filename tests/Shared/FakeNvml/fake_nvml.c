/* A fake NVML for the tests: the entry points the GPU probe binds, answering from scripted
 * state. Tests set the state through the fake_nvml_* control functions (in-process), or
 * through a file named by FAKE_NVML_SCRIPT read at nvmlInit_v2 (child processes), with lines
 *   count N | init RET | set GPU FIELD VALUE | status GPU FIELD RET | lost GPU 0/1 | xid GPU CODE | process GPU PID BYTES
 *   | lostfile GPU PATH (the GPU answers NVML_ERROR_GPU_IS_LOST while PATH exists: a child process loses a GPU mid-run)
 *   | gpm GPU METRIC_ID VALUE (a GPM metric's value, percent or MiB/s) | gpmstatus GPU METRIC_ID RET | gpmmax N
 * GPM: set GPU gpm_supported 1 makes a GPU answer nvmlGpmQueryDeviceSupport with support (default: not
 * supported, as before Hopper); gpmmax N emulates a driver built against a header whose metrics array
 * held N entries (98 in NVML 12.0-12.8, 333 since CUDA 13.2.1): it rejects numMetrics > N.
 * NVLink: set GPU nvlinks N gives a GPU N links (default 0: NOT_SUPPORTED, a PCIe board); nvlink_down is a bit
 * mask of links that are down; link L counts nvlink_tx + L, nvlink_rx + L KiB, nvlink_replay + L replays and
 * nvlink_crc + L data CRC errors; the other error counters answer NOT_SUPPORTED, as on newer links.
 * Processes: procutil GPU PID SM MEM gives a listed process its utilisation (percent; NVML reports only processes
 * with non-zero utilisation); procfile GPU PID PATH lists the process only while PATH exists (it "exits" when
 * the file is removed).
 * MIG: mig GPU GI CI PROFILE USED_BYTES TOTAL_BYTES adds a MIG device and turns MIG mode on (set GPU mig_mode 0
 * turns it off again); GPM of GPU instance GI (nvmlGpmMigSampleGet) reads the GPU's gpm values plus GI;
 * nvmlDeviceGetProcessUtilization answers NOT_SUPPORTED in MIG mode, as NVML does.
 * Units are NVML's: mW, mJ, MHz, KB/s, percent. With energy_watts W (default 0) the energy
 * counter grows by that power over real time since the library was loaded, as a busy GPU's does. Written for this project's tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_GPUS 8
#define MAX_EVENTS 64
#define MAX_PROCS 16

enum field {
    F_UTIL_GPU, F_UTIL_MEM, F_MEM_TOTAL, F_MEM_USED, F_MEM_FREE, F_MEM_RESERVED, F_POWER, F_POWER_LIMIT,
    F_ENERGY, F_CLOCK_SM, F_CLOCK_MEM, F_CLOCK_GR, F_MAX_SM, F_MAX_MEM, F_MAX_GR, F_TEMP, F_REASONS,
    F_VIOLATION, F_PSTATE, F_PCIE_TX, F_PCIE_RX, F_LINK_GEN, F_LINK_MAX_GEN, F_LINK_WIDTH, F_LINK_MAX_WIDTH,
    F_ECC_MODE, F_ECC_CORR, F_ECC_UNCORR, F_RETIRED_SBE, F_RETIRED_DBE, F_REMAP_CORR, F_REMAP_UNC,
    F_REMAP_PENDING, F_REMAP_FAILURE, F_PROCESSES, F_EVENTS, F_ENERGY_WATTS, F_GPM_SUPPORTED, F_GPM_SAMPLE,
    F_NVLINKS, F_NVLINK_DOWN, F_NVLINK_TX, F_NVLINK_RX, F_NVLINK_REPLAY, F_NVLINK_CRC, F_NVLINK_FIELDS, F_PROCESS_UTIL, F_MIG_MODE, F_COUNT
};

static const char *field_names[F_COUNT] = {
    "util_gpu", "util_mem", "mem_total", "mem_used", "mem_free", "mem_reserved", "power", "power_limit",
    "energy", "clock_sm", "clock_mem", "clock_gr", "max_sm", "max_mem", "max_gr", "temp", "reasons",
    "violation", "pstate", "pcie_tx", "pcie_rx", "link_gen", "link_max_gen", "link_width", "link_max_width",
    "ecc_mode", "ecc_corr", "ecc_uncorr", "retired_sbe", "retired_dbe", "remap_corr", "remap_unc",
    "remap_pending", "remap_failure", "processes", "events", "energy_watts", "gpm_supported", "gpm_sample",
    "nvlinks", "nvlink_down", "nvlink_tx", "nvlink_rx", "nvlink_replay", "nvlink_crc", "nvlink_fields", "process_util", "mig_mode"
};

#define MAX_MIG 7
struct mig { int gi, ci; char profile[32]; unsigned long long used, total; };

#define GPM_METRIC_MAX 333

struct gpu {
    unsigned long long value[F_COUNT];
    int status[F_COUNT];
    int lost;
    char lost_file[256];
    unsigned int proc_pid[MAX_PROCS];
    unsigned long long proc_mem[MAX_PROCS];
    unsigned int proc_sm[MAX_PROCS];
    unsigned int proc_memutil[MAX_PROCS];
    char proc_file[MAX_PROCS][256];
    int proc_count;
    struct mig mig[MAX_MIG];
    int mig_count;
    double gpm_value[GPM_METRIC_MAX];
    int gpm_status[GPM_METRIC_MAX];
};

struct event { int gpu; unsigned long long xid; };

static struct gpu gpus[MAX_GPUS];
static int gpu_count = 1;
static int init_result = 0;
static int initialised = 0;
static int init_calls = 0;
static int energy_calls = 0;
static struct event events[MAX_EVENTS];
static int event_count = 0;
static int registered[MAX_GPUS];
static int gpm_max = GPM_METRIC_MAX;
static int gpm_samples_live = 0;
static int gpm_sample_calls = 0;

static void defaults(void) {
    memset(gpus, 0, sizeof gpus);
    memset(registered, 0, sizeof registered);
    for (int i = 0; i < MAX_GPUS; i++) {
        unsigned long long *v = gpus[i].value;
        v[F_UTIL_GPU] = 37; v[F_UTIL_MEM] = 12;
        v[F_MEM_TOTAL] = 85520809984ULL; v[F_MEM_USED] = 1073741824ULL; v[F_MEM_RESERVED] = 536870912ULL;
        v[F_MEM_FREE] = v[F_MEM_TOTAL] - v[F_MEM_USED] - v[F_MEM_RESERVED];
        v[F_POWER] = 123456; v[F_POWER_LIMIT] = 700000; v[F_ENERGY] = 5000000 + 1000 * i;
        v[F_CLOCK_SM] = 1980; v[F_CLOCK_MEM] = 2619; v[F_CLOCK_GR] = 1980;
        v[F_MAX_SM] = 1980; v[F_MAX_MEM] = 2619; v[F_MAX_GR] = 1980;
        v[F_TEMP] = 41; v[F_REASONS] = 0x4; v[F_VIOLATION] = 2500000000ULL; v[F_PSTATE] = 0;
        v[F_PCIE_TX] = 1000; v[F_PCIE_RX] = 2000; v[F_LINK_GEN] = 5; v[F_LINK_MAX_GEN] = 5;
        v[F_LINK_WIDTH] = 16; v[F_LINK_MAX_WIDTH] = 16; v[F_ECC_MODE] = 1; v[F_ECC_CORR] = 3; v[F_ECC_UNCORR] = 0;
        v[F_RETIRED_SBE] = 0; v[F_RETIRED_DBE] = 0; v[F_REMAP_CORR] = 1; v[F_REMAP_UNC] = 0;
        v[F_REMAP_PENDING] = 0; v[F_REMAP_FAILURE] = 0;
    }
    gpu_count = 1; init_result = 0; event_count = 0; init_calls = 0; energy_calls = 0;
    gpm_max = GPM_METRIC_MAX; gpm_sample_calls = 0;
    for (int i = 0; i < MAX_GPUS; i++)
        for (int m = 0; m < GPM_METRIC_MAX; m++)
            gpus[i].gpm_status[m] = (m >= 1 && m <= 13) || m == 20 || m == 21 || m == 60 || m == 61 ? 0 : 2;
}

static int field_index(const char *name) {
    for (int i = 0; i < F_COUNT; i++) if (strcmp(name, field_names[i]) == 0) return i;
    return -1;
}

/* ---- control functions ---- */
void fake_nvml_reset(void) { defaults(); }
void fake_nvml_set_count(int n) { gpu_count = n; }
void fake_nvml_set_init_result(int ret) { init_result = ret; }
int fake_nvml_set(int gpu, const char *name, unsigned long long value) {
    int f = field_index(name); if (f < 0 || gpu < 0 || gpu >= MAX_GPUS) return -1; gpus[gpu].value[f] = value; return 0;
}
int fake_nvml_set_status(int gpu, const char *name, int ret) {
    int f = field_index(name); if (f < 0 || gpu < 0 || gpu >= MAX_GPUS) return -1; gpus[gpu].status[f] = ret; return 0;
}
void fake_nvml_set_lost(int gpu, int lost) { gpus[gpu].lost = lost; }
void fake_nvml_push_xid(int gpu, unsigned long long xid) {
    if (event_count < MAX_EVENTS) { events[event_count].gpu = gpu; events[event_count].xid = xid; event_count++; }
}
void fake_nvml_add_process(int gpu, unsigned int pid, unsigned long long bytes) {
    struct gpu *g = &gpus[gpu]; if (g->proc_count < MAX_PROCS) { g->proc_pid[g->proc_count] = pid; g->proc_mem[g->proc_count] = bytes; g->proc_count++; }
}
int fake_nvml_set_gpm(int gpu, int metric, double value) {
    if (gpu < 0 || gpu >= MAX_GPUS || metric < 0 || metric >= GPM_METRIC_MAX) return -1;
    gpus[gpu].gpm_value[metric] = value; return 0;
}
int fake_nvml_set_gpm_status(int gpu, int metric, int ret) {
    if (gpu < 0 || gpu >= MAX_GPUS || metric < 0 || metric >= GPM_METRIC_MAX) return -1;
    gpus[gpu].gpm_status[metric] = ret; return 0;
}
void fake_nvml_set_gpm_max(int n) { gpm_max = n; }
int fake_nvml_gpm_samples_live(void) { return gpm_samples_live; }
int fake_nvml_gpm_sample_calls(void) { return gpm_sample_calls; }
int fake_nvml_set_process_util(int gpu, unsigned int pid, unsigned int sm, unsigned int mem) {
    struct gpu *g = &gpus[gpu];
    for (int i = 0; i < g->proc_count; i++) if (g->proc_pid[i] == pid) { g->proc_sm[i] = sm; g->proc_memutil[i] = mem; return 0; }
    return -1;
}
int fake_nvml_set_process_file(int gpu, unsigned int pid, const char *path) {
    struct gpu *g = &gpus[gpu];
    for (int i = 0; i < g->proc_count; i++) if (g->proc_pid[i] == pid) { snprintf(g->proc_file[i], sizeof g->proc_file[i], "%s", path); return 0; }
    return -1;
}
void fake_nvml_remove_process(int gpu, unsigned int pid) {
    struct gpu *g = &gpus[gpu];
    for (int i = 0; i < g->proc_count; i++) {
        if (g->proc_pid[i] != pid) continue;
        for (int j = i; j < g->proc_count - 1; j++) {
            g->proc_pid[j] = g->proc_pid[j + 1]; g->proc_mem[j] = g->proc_mem[j + 1];
            g->proc_sm[j] = g->proc_sm[j + 1]; g->proc_memutil[j] = g->proc_memutil[j + 1];
            memcpy(g->proc_file[j], g->proc_file[j + 1], sizeof g->proc_file[j]);
        }
        g->proc_count--; return;
    }
}
int fake_nvml_add_mig(int gpu, int gi, int ci, const char *profile, unsigned long long used, unsigned long long total) {
    struct gpu *g = &gpus[gpu]; if (g->mig_count >= MAX_MIG) return -1;
    struct mig *m = &g->mig[g->mig_count++]; m->gi = gi; m->ci = ci; snprintf(m->profile, sizeof m->profile, "%s", profile);
    m->used = used; m->total = total; g->value[F_MIG_MODE] = 1; return 0;
}
int fake_nvml_init_calls(void) { return init_calls; }
int fake_nvml_energy_calls(void) { return energy_calls; }
int fake_nvml_initialised(void) { return initialised; }

static void run_script(void) {
    const char *path = getenv("FAKE_NVML_SCRIPT");
    if (!path) return;
    FILE *f = fopen(path, "r");
    if (!f) return;
    char cmd[32], name[64], file[256];
    int gpu, ret, mi; unsigned long long value, value2; double dvalue;
    while (fscanf(f, "%31s", cmd) == 1) {
        if (strcmp(cmd, "count") == 0 && fscanf(f, "%d", &gpu) == 1) gpu_count = gpu;
        else if (strcmp(cmd, "init") == 0 && fscanf(f, "%d", &gpu) == 1) init_result = gpu;
        else if (strcmp(cmd, "set") == 0 && fscanf(f, "%d %63s %llu", &gpu, name, &value) == 3) fake_nvml_set(gpu, name, value);
        else if (strcmp(cmd, "status") == 0 && fscanf(f, "%d %63s %llu", &gpu, name, &value) == 3) fake_nvml_set_status(gpu, name, (int)value);
        else if (strcmp(cmd, "lost") == 0 && fscanf(f, "%d %llu", &gpu, &value) == 2) fake_nvml_set_lost(gpu, (int)value);
        else if (strcmp(cmd, "xid") == 0 && fscanf(f, "%d %llu", &gpu, &value) == 2) fake_nvml_push_xid(gpu, value);
        else if (strcmp(cmd, "lostfile") == 0 && fscanf(f, "%d %255s", &gpu, file) == 2 && gpu >= 0 && gpu < MAX_GPUS) snprintf(gpus[gpu].lost_file, sizeof gpus[gpu].lost_file, "%s", file);
        else if (strcmp(cmd, "gpm") == 0 && fscanf(f, "%d %llu %lf", &gpu, &value, &dvalue) == 3) fake_nvml_set_gpm(gpu, (int)value, dvalue);
        else if (strcmp(cmd, "gpmstatus") == 0 && fscanf(f, "%d %llu %d", &gpu, &value, &ret) == 3) fake_nvml_set_gpm_status(gpu, (int)value, ret);
        else if (strcmp(cmd, "gpmmax") == 0 && fscanf(f, "%d", &gpu) == 1) gpm_max = gpu;
        else if (strcmp(cmd, "procutil") == 0 && fscanf(f, "%d %63s %llu %d", &gpu, name, &value, &ret) == 4) fake_nvml_set_process_util(gpu, (unsigned int)atoi(name), (unsigned int)value, (unsigned int)ret);
        else if (strcmp(cmd, "procfile") == 0 && fscanf(f, "%d %63s %255s", &gpu, name, file) == 3) fake_nvml_set_process_file(gpu, (unsigned int)atoi(name), file);
        else if (strcmp(cmd, "mig") == 0 && fscanf(f, "%d %d %d %31s %llu %llu", &gpu, &ret, &mi, file, &value, &value2) == 6) fake_nvml_add_mig(gpu, ret, mi, file, value, value2);
        else if (strcmp(cmd, "process") == 0 && fscanf(f, "%d %63s %llu", &gpu, name, &value) == 3) fake_nvml_add_process(gpu, (unsigned int)atoi(name), value);
    }
    fclose(f);
}

static struct timespec loaded_at;
static unsigned long long elapsed_ns(void) {
    struct timespec now; clock_gettime(CLOCK_MONOTONIC, &now);
    return (unsigned long long)(now.tv_sec - loaded_at.tv_sec) * 1000000000ULL + (unsigned long long)(now.tv_nsec - loaded_at.tv_nsec);
}
__attribute__((constructor)) static void load(void) { clock_gettime(CLOCK_MONOTONIC, &loaded_at); defaults(); run_script(); }

/* ---- NVML ---- */
typedef void *nvmlDevice_t;
#define DEV(i) ((nvmlDevice_t)(long)((i) + 1))
#define IDX(d) ((int)(long)(d) - 1)
/* MIG device handles: 0x1000 + 16 * gpu + slot, never a parent's. */
#define MIGDEV(g, s) ((nvmlDevice_t)(long)(0x1000 + 16 * (g) + (s)))
#define IS_MIG(d) ((long)(d) >= 0x1000)
#define MIG_GPU(d) ((int)(((long)(d) - 0x1000) / 16))
#define MIG_SLOT(d) ((int)(((long)(d) - 0x1000) % 16))
#define NOT_INIT 1
#define NOT_SUPPORTED 3
#define INSUFFICIENT_SIZE 7
#define TIMEOUT 10
#define GPU_IS_LOST 15

static int check(nvmlDevice_t d, int f) {
    int i = IDX(d);
    if (!initialised) return NOT_INIT;
    if (i < 0 || i >= gpu_count) return 2;
    if (gpus[i].lost || (gpus[i].lost_file[0] && access(gpus[i].lost_file, F_OK) == 0)) return GPU_IS_LOST;
    return f >= 0 ? gpus[i].status[f] : 0;
}
#define V(d, f) (gpus[IDX(d)].value[f])

int nvmlInit_v2(void) { init_calls++; if (init_result == 0) initialised = 1; return init_result; }
int nvmlShutdown(void) { initialised = 0; return 0; }
int nvmlSystemGetDriverVersion(char *v, unsigned int n) { snprintf(v, n, "580.95.05"); return 0; }
int nvmlSystemGetCudaDriverVersion_v2(int *v) { *v = 13000; return 0; }
int nvmlDeviceGetCount_v2(unsigned int *c) { if (!initialised) return NOT_INIT; *c = (unsigned)gpu_count; return 0; }
int nvmlDeviceGetHandleByIndex_v2(unsigned int i, nvmlDevice_t *d) { if ((int)i >= gpu_count) return 2; *d = DEV(i); return 0; }
static struct mig *mig_of(nvmlDevice_t d) {
    if (!IS_MIG(d)) return NULL;
    int g = MIG_GPU(d), sl = MIG_SLOT(d);
    if (g < 0 || g >= gpu_count || sl >= gpus[g].mig_count || !gpus[g].value[F_MIG_MODE]) return NULL;
    return &gpus[g].mig[sl];
}
int nvmlDeviceGetUUID(nvmlDevice_t d, char *u, unsigned int n) {
    struct mig *m = mig_of(d); if (m) { snprintf(u, n, "MIG-fake-%04d-%d-%d", MIG_GPU(d), m->gi, m->ci); return 0; }
    int r = check(d, -1); if (!r) snprintf(u, n, "GPU-fake-%04d", IDX(d)); return r; }
int nvmlDeviceGetName(nvmlDevice_t d, char *u, unsigned int n) {
    struct mig *m = mig_of(d); if (m) { snprintf(u, n, "Fake H100 80GB HBM3 MIG %s", m->profile); return 0; }
    int r = check(d, -1); if (!r) snprintf(u, n, "Fake H100 80GB HBM3"); return r; }

struct pci { char legacy[16]; unsigned int domain, bus, device, id, sub; char busId[32]; };
int nvmlDeviceGetPciInfo_v3(nvmlDevice_t d, struct pci *p) {
    int r = check(d, -1); if (r) return r;
    memset(p, 0, sizeof *p); p->bus = 0x1a + IDX(d); snprintf(p->busId, 32, "00000000:%02X:00.0", p->bus); return 0;
}
int nvmlDeviceGetCudaComputeCapability(nvmlDevice_t d, int *ma, int *mi) { int r = check(d, -1); if (!r) { *ma = 9; *mi = 0; } return r; }
int nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t d, unsigned int *l) { int r = check(d, F_POWER_LIMIT); if (!r) *l = (unsigned)V(d, F_POWER_LIMIT); return r; }
struct mem1 { unsigned long long total, free, used; };
struct mem2 { unsigned int version; unsigned long long total, reserved, free, used; };
int nvmlDeviceGetMemoryInfo(nvmlDevice_t d, struct mem1 *m) {
    struct mig *g = mig_of(d); if (g) { m->total = g->total; m->used = g->used; m->free = g->total - g->used; return 0; }
    int r = check(d, F_MEM_USED); if (r) return r; m->total = V(d, F_MEM_TOTAL); m->free = V(d, F_MEM_FREE); m->used = V(d, F_MEM_USED); return 0;
}
int nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t d, struct mem2 *m) {
    int r = check(d, F_MEM_RESERVED); if (r) return r;
    if (m->version != ((unsigned)sizeof(struct mem2) | (2u << 24))) return 25;
    m->total = V(d, F_MEM_TOTAL); m->reserved = V(d, F_MEM_RESERVED); m->free = V(d, F_MEM_FREE); m->used = V(d, F_MEM_USED); return 0;
}
struct util { unsigned int gpu, memory; };
int nvmlDeviceGetUtilizationRates(nvmlDevice_t d, struct util *u) { int r = check(d, F_UTIL_GPU); if (!r) { u->gpu = (unsigned)V(d, F_UTIL_GPU); u->memory = (unsigned)V(d, F_UTIL_MEM); } return r; }
int nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned int *p) { int r = check(d, F_POWER); if (!r) *p = (unsigned)V(d, F_POWER); return r; }
int nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t d, unsigned long long *e) {
    int r = check(d, F_ENERGY); if (r) return r; energy_calls++; *e = V(d, F_ENERGY) + V(d, F_ENERGY_WATTS) * elapsed_ns() / 1000000ULL; return 0;
}
static const int clock_field[3] = { F_CLOCK_GR, F_CLOCK_SM, F_CLOCK_MEM };
static const int max_field[3] = { F_MAX_GR, F_MAX_SM, F_MAX_MEM };
int nvmlDeviceGetClockInfo(nvmlDevice_t d, int t, unsigned int *c) { if (t < 0 || t > 2) return 2; int r = check(d, clock_field[t]); if (!r) *c = (unsigned)V(d, clock_field[t]); return r; }
int nvmlDeviceGetMaxClockInfo(nvmlDevice_t d, int t, unsigned int *c) { if (t < 0 || t > 2) return 2; int r = check(d, max_field[t]); if (!r) *c = (unsigned)V(d, max_field[t]); return r; }
int nvmlDeviceGetTemperature(nvmlDevice_t d, int s, unsigned int *t) { int r = check(d, F_TEMP); if (!r) *t = (unsigned)V(d, F_TEMP); return r; }
int nvmlDeviceGetCurrentClocksEventReasons(nvmlDevice_t d, unsigned long long *r2) { int r = check(d, F_REASONS); if (!r) *r2 = V(d, F_REASONS); return r; }
int nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t d, unsigned long long *r2) { return nvmlDeviceGetCurrentClocksEventReasons(d, r2); }
struct viol { unsigned long long ref, time; };
int nvmlDeviceGetViolationStatus(nvmlDevice_t d, int policy, struct viol *v) {
    int r = check(d, F_VIOLATION); if (r) return r;
    if (policy > 1) return NOT_SUPPORTED; /* only power and thermal, as on many boards */
    v->ref = 0; v->time = V(d, F_VIOLATION) * (unsigned)(policy + 1); return 0;
}
int nvmlDeviceGetPerformanceState(nvmlDevice_t d, int *p) { int r = check(d, F_PSTATE); if (!r) *p = (int)V(d, F_PSTATE); return r; }
int nvmlDeviceGetPcieThroughput(nvmlDevice_t d, int c, unsigned int *v) { int f = c == 0 ? F_PCIE_TX : F_PCIE_RX; int r = check(d, f); if (!r) *v = (unsigned)V(d, f); return r; }
int nvmlDeviceGetCurrPcieLinkGeneration(nvmlDevice_t d, unsigned int *v) { int r = check(d, F_LINK_GEN); if (!r) *v = (unsigned)V(d, F_LINK_GEN); return r; }
int nvmlDeviceGetMaxPcieLinkGeneration(nvmlDevice_t d, unsigned int *v) { int r = check(d, F_LINK_GEN); if (!r) *v = (unsigned)V(d, F_LINK_MAX_GEN); return r; }
int nvmlDeviceGetCurrPcieLinkWidth(nvmlDevice_t d, unsigned int *v) { int r = check(d, F_LINK_GEN); if (!r) *v = (unsigned)V(d, F_LINK_WIDTH); return r; }
int nvmlDeviceGetMaxPcieLinkWidth(nvmlDevice_t d, unsigned int *v) { int r = check(d, F_LINK_GEN); if (!r) *v = (unsigned)V(d, F_LINK_MAX_WIDTH); return r; }
int nvmlDeviceGetEccMode(nvmlDevice_t d, int *c, int *p) { int r = check(d, F_ECC_MODE); if (!r) { *c = (int)V(d, F_ECC_MODE); *p = *c; } return r; }
int nvmlDeviceGetTotalEccErrors(nvmlDevice_t d, int type, int counter, unsigned long long *c) { int r = check(d, F_ECC_CORR); if (!r) *c = V(d, type == 0 ? F_ECC_CORR : F_ECC_UNCORR); return r; }
int nvmlDeviceGetRetiredPages(nvmlDevice_t d, int cause, unsigned int *count, unsigned long long *addresses) {
    int r = check(d, F_RETIRED_SBE); if (r) return r;
    unsigned int n = (unsigned)V(d, cause == 0 ? F_RETIRED_SBE : F_RETIRED_DBE);
    int small = *count < n; *count = n; return small ? INSUFFICIENT_SIZE : 0;
}
int nvmlDeviceGetRemappedRows(nvmlDevice_t d, unsigned int *c, unsigned int *u, unsigned int *p, unsigned int *f) {
    int r = check(d, F_REMAP_CORR); if (r) return r;
    *c = (unsigned)V(d, F_REMAP_CORR); *u = (unsigned)V(d, F_REMAP_UNC); *p = (unsigned)V(d, F_REMAP_PENDING); *f = (unsigned)V(d, F_REMAP_FAILURE); return 0;
}
static int proc_listed(struct gpu *g, int i) { return !g->proc_file[i][0] || access(g->proc_file[i], F_OK) == 0; }
struct proc { unsigned int pid; unsigned long long mem; unsigned int gi, ci; };
int nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned int *count, struct proc *infos) {
    int r = check(d, F_PROCESSES); if (r) return r;
    struct gpu *g = &gpus[IDX(d)];
    unsigned int n = 0;
    for (int i = 0; i < g->proc_count; i++) if (proc_listed(g, i)) n++;
    if (*count < n) { *count = n; return INSUFFICIENT_SIZE; }
    n = 0;
    for (int i = 0; i < g->proc_count; i++) {
        if (!proc_listed(g, i)) continue;
        infos[n].pid = g->proc_pid[i]; infos[n].mem = g->proc_mem[i]; infos[n].gi = infos[n].ci = 0xFFFFFFFF; n++;
    }
    *count = n; return 0;
}
int nvmlEventSetCreate(void **set) { if (!initialised) return NOT_INIT; *set = (void *)0x5e7; return 0; }
int nvmlDeviceRegisterEvents(nvmlDevice_t d, unsigned long long types, void *set) { int r = check(d, F_EVENTS); if (!r) registered[IDX(d)] = 1; return r; }
struct event_data { nvmlDevice_t device; unsigned long long type, data; unsigned int gi, ci; };
int nvmlEventSetWait_v2(void *set, struct event_data *e, unsigned int timeout) {
    for (int i = 0; i < event_count; i++) {
        if (!registered[events[i].gpu]) continue;
        e->device = DEV(events[i].gpu); e->type = 0x8; e->data = events[i].xid; e->gi = e->ci = 0xFFFFFFFF;
        memmove(&events[i], &events[i + 1], sizeof(struct event) * (size_t)(event_count - i - 1)); event_count--;
        return 0;
    }
    return TIMEOUT;
}
int nvmlEventSetFree(void *set) { return 0; }

/* Built with -DFAKE_NVML_OLD_DRIVER, the library lacks every entry point below, as a driver older than
 * GPM (r520) and these calls does: the probe must find them missing and carry on. */
#ifndef FAKE_NVML_OLD_DRIVER
/* ---- GPM (nvml.h "GPM Functions"; struct layouts as the newest header declares them) ---- */
struct gpm_sample { int magic, gpu, gi, filled; unsigned long long serial; };
#define GPM_MAGIC 0x67706d
static unsigned long long gpm_serial = 0;
struct gpm_metric { unsigned int metricId; int nvmlReturn; double value; struct { char *shortName, *longName, *unit; } metricInfo; };
struct gpm_metrics_get { unsigned int version, numMetrics; struct gpm_sample *sample1, *sample2; struct gpm_metric metrics[GPM_METRIC_MAX]; };
struct gpm_support { unsigned int version, isSupportedDevice; };
_Static_assert(sizeof(struct gpm_metric) == 40, "nvmlGpmMetric_t is 40 bytes");
_Static_assert(sizeof(struct gpm_metrics_get) == 13344, "nvmlGpmMetricsGet_t is 13344 bytes with 333 metrics");
int fake_nvml_gpm_metric_size(void) { return (int)sizeof(struct gpm_metric); }
int fake_nvml_gpm_metrics_get_size(void) { return (int)sizeof(struct gpm_metrics_get); }
int fake_nvml_gpm_metrics_offset(void) { return (int)__builtin_offsetof(struct gpm_metrics_get, metrics); }

int nvmlGpmQueryDeviceSupport(nvmlDevice_t d, struct gpm_support *s) {
    int r = check(d, -1); if (r) return r;
    if (s->version != 1) return 25;
    s->isSupportedDevice = V(d, F_GPM_SUPPORTED) ? 1 : 0; return 0;
}
int nvmlGpmSampleAlloc(struct gpm_sample **s) {
    if (!initialised) return NOT_INIT;
    *s = calloc(1, sizeof **s); (*s)->magic = GPM_MAGIC; gpm_samples_live++; return 0;
}
int nvmlGpmSampleFree(struct gpm_sample *s) { if (!s || s->magic != GPM_MAGIC) return 2; s->magic = 0; free(s); gpm_samples_live--; return 0; }
static int gpm_take(nvmlDevice_t d, int gi, struct gpm_sample *s) {
    int r = check(d, F_GPM_SAMPLE); if (r) return r;
    if (!s || s->magic != GPM_MAGIC) return 2;
    if (!V(d, F_GPM_SUPPORTED)) return NOT_SUPPORTED;
    s->gpu = IDX(d); s->gi = gi; s->filled = 1; s->serial = ++gpm_serial; gpm_sample_calls++; return 0;
}
int nvmlGpmSampleGet(nvmlDevice_t d, struct gpm_sample *s) { return gpm_take(d, -1, s); }
int nvmlGpmMigSampleGet(nvmlDevice_t d, unsigned int gi, struct gpm_sample *s) {
    int r = check(d, -1); if (r) return r;
    if (!V(d, F_MIG_MODE)) return NOT_SUPPORTED;
    struct gpu *g = &gpus[IDX(d)]; int found = 0;
    for (int i = 0; i < g->mig_count; i++) if ((unsigned)g->mig[i].gi == gi) found = 1;
    if (!found) return 6; /* NVML_ERROR_NOT_FOUND */
    return gpm_take(d, (int)gi, s);
}
int nvmlGpmMetricsGet(struct gpm_metrics_get *m) {
    if (!initialised) return NOT_INIT;
    if (m->version != 1) return 25;
    if (m->numMetrics > (unsigned)gpm_max) return 2; /* a shorter array than the caller's request */
    struct gpm_sample *a = m->sample1, *b = m->sample2;
    if (!a || !b || a->magic != GPM_MAGIC || b->magic != GPM_MAGIC || !a->filled || !b->filled) return 2;
    if (a == b || a->gpu != b->gpu || a->gi != b->gi || a->serial >= b->serial) return 2;
    struct gpu *g = &gpus[a->gpu];
    for (unsigned int i = 0; i < m->numMetrics; i++) {
        unsigned int id = m->metrics[i].metricId;
        if (id >= (unsigned)gpm_max || id >= GPM_METRIC_MAX) { m->metrics[i].nvmlReturn = 2; continue; }
        /* DMMA arrived after the 98-entry header: an older driver does not know it. */
        if (id == 8 && gpm_max <= 98) { m->metrics[i].nvmlReturn = NOT_SUPPORTED; continue; }
        m->metrics[i].nvmlReturn = g->gpm_status[id];
        m->metrics[i].value = g->gpm_status[id] ? 0 : g->gpm_value[id] + (a->gi >= 0 ? a->gi : 0);
    }
    return 0;
}

/* ---- NVLink (nvml.h "NvLink Methods", nvmlDeviceGetFieldValues) ---- */
int nvmlDeviceGetNvLinkState(nvmlDevice_t d, unsigned int link, int *active) {
    int r = check(d, -1); if (r) return r;
    if (V(d, F_NVLINKS) == 0) return NOT_SUPPORTED;
    if (link >= V(d, F_NVLINKS)) return 2;
    *active = (V(d, F_NVLINK_DOWN) >> link) & 1 ? 0 : 1; return 0;
}
int nvmlDeviceGetNvLinkErrorCounter(nvmlDevice_t d, unsigned int link, int counter, unsigned long long *value) {
    int r = check(d, -1); if (r) return r;
    if (V(d, F_NVLINKS) == 0) return NOT_SUPPORTED;
    if (link >= V(d, F_NVLINKS)) return 2;
    if (counter == 0) { *value = V(d, F_NVLINK_REPLAY) + link; return 0; }
    if (counter == 3) { *value = V(d, F_NVLINK_CRC) + link; return 0; }
    return NOT_SUPPORTED;
}
struct field_value { unsigned int fieldId, scopeId; long long timestamp, latencyUsec; int valueType, nvmlReturn; unsigned long long value; };
_Static_assert(sizeof(struct field_value) == 40, "nvmlFieldValue_t is 40 bytes");
int nvmlDeviceGetFieldValues(nvmlDevice_t d, int count, struct field_value *values) {
    int r = check(d, F_NVLINK_FIELDS); if (r) return r;
    for (int i = 0; i < count; i++) {
        struct field_value *v = &values[i];
        v->timestamp = 1; v->latencyUsec = 0;
        if ((v->fieldId != 138 && v->fieldId != 139) || v->scopeId >= V(d, F_NVLINKS)) { v->nvmlReturn = NOT_SUPPORTED; continue; }
        v->valueType = 3; v->nvmlReturn = 0;
        v->value = (v->fieldId == 138 ? V(d, F_NVLINK_TX) : V(d, F_NVLINK_RX)) + v->scopeId;
    }
    return 0;
}

/* ---- per-process utilisation (nvmlDeviceGetProcessUtilization; nvmlProcessUtilizationSample_t is 32 bytes) ---- */
struct proc_util { unsigned int pid; unsigned long long timeStamp; unsigned int smUtil, memUtil, encUtil, decUtil; };
_Static_assert(sizeof(struct proc_util) == 32, "nvmlProcessUtilizationSample_t is 32 bytes");
int nvmlDeviceGetProcessUtilization(nvmlDevice_t d, struct proc_util *u, unsigned int *count, unsigned long long last_seen) {
    int r = check(d, F_PROCESS_UTIL); if (r) return r;
    if (V(d, F_MIG_MODE)) return NOT_SUPPORTED;
    struct gpu *g = &gpus[IDX(d)];
    struct timespec now; clock_gettime(CLOCK_REALTIME, &now);
    unsigned long long us = (unsigned long long)now.tv_sec * 1000000ULL + (unsigned long long)now.tv_nsec / 1000ULL;
    unsigned int n = 0;
    for (int i = 0; i < g->proc_count; i++) if (proc_listed(g, i) && g->proc_sm[i] + g->proc_memutil[i] > 0) n++;
    if (n == 0 || us <= last_seen) return 6; /* NVML_ERROR_NOT_FOUND: no samples since last_seen */
    if (!u || *count < n) { *count = n; return INSUFFICIENT_SIZE; }
    n = 0;
    for (int i = 0; i < g->proc_count; i++) {
        if (!proc_listed(g, i) || g->proc_sm[i] + g->proc_memutil[i] == 0) continue;
        u[n].pid = g->proc_pid[i]; u[n].timeStamp = us; u[n].smUtil = g->proc_sm[i]; u[n].memUtil = g->proc_memutil[i];
        u[n].encUtil = u[n].decUtil = 0; n++;
    }
    *count = n; return 0;
}

/* ---- MIG (read only) ---- */
int nvmlDeviceGetMigMode(nvmlDevice_t d, unsigned int *current, unsigned int *pending) {
    int r = check(d, -1); if (r) return r;
    *current = *pending = (unsigned)V(d, F_MIG_MODE); return 0;
}
int nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t d, unsigned int *count) { int r = check(d, -1); if (!r) *count = MAX_MIG; return r; }
int nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t d, unsigned int index, nvmlDevice_t *mig) {
    int r = check(d, -1); if (r) return r;
    if (!V(d, F_MIG_MODE)) return NOT_SUPPORTED;
    if (index >= (unsigned)gpus[IDX(d)].mig_count) return 6; /* NVML_ERROR_NOT_FOUND */
    *mig = MIGDEV(IDX(d), (int)index); return 0;
}
int nvmlDeviceGetGpuInstanceId(nvmlDevice_t d, unsigned int *id) { struct mig *m = mig_of(d); if (!m) return 2; *id = (unsigned)m->gi; return 0; }
int nvmlDeviceGetComputeInstanceId(nvmlDevice_t d, unsigned int *id) { struct mig *m = mig_of(d); if (!m) return 2; *id = (unsigned)m->ci; return 0; }
#endif /* FAKE_NVML_OLD_DRIVER */
