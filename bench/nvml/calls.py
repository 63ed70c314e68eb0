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
n.nvmlShutdown()
