"""Per-call cost of every NVML call BenchDaemon's GPU probe makes, through pynvml (issue F2).

Run on a GPU machine: python3 bench/nvml/calls.py [iterations]. Prints median and p99 in
microseconds per call, so a slow call can be moved off the 1 s tick.
"""
import statistics
import sys
import time

import pynvml as n

N = int(sys.argv[1]) if len(sys.argv) > 1 else 500


def cost(name, fn, iterations=N):
    try:
        fn()
    except n.NVMLError as e:
        print(f"{name:45s} {str(e)}")
        return
    t = []
    for _ in range(iterations):
        s = time.perf_counter_ns()
        fn()
        t.append((time.perf_counter_ns() - s) / 1000)
    t.sort()
    print(f"{name:45s} n={iterations:5d} median {statistics.median(t):10.2f} us  p99 {t[int(0.99 * len(t)) - 1]:10.2f} us")


n.nvmlInit()
h = n.nvmlDeviceGetHandleByIndex(0)
print("gpu 0", n.nvmlDeviceGetName(h))
cost("GetUtilizationRates", lambda: n.nvmlDeviceGetUtilizationRates(h))
cost("GetMemoryInfo (v1)", lambda: n.nvmlDeviceGetMemoryInfo(h))
cost("GetMemoryInfo (v2)", lambda: n.nvmlDeviceGetMemoryInfo(h, version=n.nvmlMemory_v2))
cost("GetPowerUsage", lambda: n.nvmlDeviceGetPowerUsage(h))
cost("GetClockInfo SM", lambda: n.nvmlDeviceGetClockInfo(h, n.NVML_CLOCK_SM))
cost("GetClockInfo MEM", lambda: n.nvmlDeviceGetClockInfo(h, n.NVML_CLOCK_MEM))
cost("GetTemperature", lambda: n.nvmlDeviceGetTemperature(h, n.NVML_TEMPERATURE_GPU))
cost("GetCurrentClocksEventReasons", lambda: n.nvmlDeviceGetCurrentClocksEventReasons(h))
for name, policy in [("power", 0), ("thermal", 1), ("sync_boost", 2), ("board_limit", 3), ("low_util", 4), ("reliability", 5), ("app_clocks", 6), ("base_clocks", 7)]:
    cost(f"GetViolationStatus {name}", lambda p=policy: n.nvmlDeviceGetViolationStatus(h, p), 100)
cost("GetPerformanceState", lambda: n.nvmlDeviceGetPerformanceState(h))
cost("GetComputeRunningProcesses", lambda: n.nvmlDeviceGetComputeRunningProcesses(h))
cost("GetTotalEnergyConsumption", lambda: n.nvmlDeviceGetTotalEnergyConsumption(h), 100)
cost("GetCurrPcieLinkGeneration", lambda: n.nvmlDeviceGetCurrPcieLinkGeneration(h))
cost("GetCurrPcieLinkWidth", lambda: n.nvmlDeviceGetCurrPcieLinkWidth(h))
cost("GetTotalEccErrors corrected volatile", lambda: n.nvmlDeviceGetTotalEccErrors(h, n.NVML_MEMORY_ERROR_TYPE_CORRECTED, n.NVML_VOLATILE_ECC), 100)
cost("GetRemappedRows", lambda: n.nvmlDeviceGetRemappedRows(h), 100)
# G6: per-process utilisation (energy cadence with Probes:Gpu:ProcessMetrics) and NVLink.
cost("GetProcessUtilization", lambda: n.nvmlDeviceGetProcessUtilization(h, 0), 100)
cost("GetNvLinkState link 0", lambda: n.nvmlDeviceGetNvLinkState(h, 0))
cost("GetNvLinkErrorCounter link 0 replay", lambda: n.nvmlDeviceGetNvLinkErrorCounter(h, 0, 0))
cost("GetMigMode", lambda: n.nvmlDeviceGetMigMode(h))
# G6: GPM, Hopper and newer. One sample, and one metrics computation between two samples 1 s apart.
try:
    support = n.nvmlGpmQueryDeviceSupport(h)
    print("GPM supported:", bool(support.isSupportedDevice))
    if support.isSupportedDevice:
        s1, s2 = n.nvmlGpmSampleAlloc(), n.nvmlGpmSampleAlloc()
        cost("GpmSampleGet", lambda: n.nvmlGpmSampleGet(h, s1), 200)
        n.nvmlGpmSampleGet(h, s1)
        time.sleep(1.0)
        n.nvmlGpmSampleGet(h, s2)
        ids = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 20, 21, 60, 61]

        def metrics_get():
            mg = n.c_nvmlGpmMetricsGet_t()
            mg.version = n.NVML_GPM_METRICS_GET_VERSION
            mg.numMetrics = len(ids)
            mg.sample1, mg.sample2 = s1, s2
            for i, m in enumerate(ids):
                mg.metrics[i].metricId = m
            return n.nvmlGpmMetricsGet(mg)

        cost("GpmMetricsGet (16 metrics)", metrics_get, 200)
        mg = metrics_get()
        for i, m in enumerate(ids):
            print(f"  metric {m:3d}: return {mg.metrics[i].nvmlReturn} value {mg.metrics[i].value:.3f}")
        n.nvmlGpmSampleFree(s1)
        n.nvmlGpmSampleFree(s2)
except n.NVMLError as e:
    print("GPM:", e)
n.nvmlShutdown()
