using BenchDaemon.Telemetry;
using BenchDaemon.Tests.Scheduling;
using BenchDaemon.Workloads.Canaries;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace BenchDaemon.Tests.Telemetry;

public sealed class CanaryResultSinkTests : IDisposable
{
    private readonly CoordinatorHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task SetSchedulePeriods_ExportsOneSeriesPerCanaryWithAPeriod()
    {
        _harness.Sink.SetSchedulePeriods([("every-minute", TimeSpan.FromSeconds(60)), ("past-cron", null)]);

        var text = await _harness.ScrapeAsync();

        Assert.Contains("benchdaemon_canary_schedule_interval_seconds{canary=\"every-minute\"} 60\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("past-cron", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetSchedulePeriods_AfterReload_DropsRemovedCanaries()
    {
        _harness.Sink.SetSchedulePeriods([("old", TimeSpan.FromSeconds(60))]);
        _harness.Sink.SetSchedulePeriods([("new", TimeSpan.FromSeconds(5))]);

        var text = await _harness.ScrapeAsync();

        Assert.Contains("benchdaemon_canary_schedule_interval_seconds{canary=\"new\"} 5\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("canary=\"old\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Record_GpuCanaryWithGpmWindow_ActivityGaugesWithItsGpuCpuCanaryOverSeveralGpusNone()
    {
        var stats = LatencyStatistics.From([0.001, 0.002]);
        var gpu = Result(CanaryStatus.Ok, null, null) with
        {
            LatencySeconds = stats,
            Samples = [0.001, 0.002],
            GpuSmActive = new Dictionary<string, double> { ["gpu:3"] = 0.9 },
            GpuTensorActive = new Dictionary<string, double> { ["gpu:3"] = 0.75 },
            GpuDramActive = new Dictionary<string, double> { ["gpu:3"] = 0.2 },
        };
        var cpu = gpu with { Canary = "cpu", GpuSmActive = new Dictionary<string, double> { ["gpu:0"] = 0.1, ["gpu:1"] = 0.2 } };
        _harness.Sink.Record(gpu);
        _harness.Sink.Record(cpu);

        var text = await _harness.ScrapeAsync();

        Assert.Matches("benchdaemon_canary_gpu_sm_active_ratio\\{canary=\"gemm\",[^}]*,gpu=\"3\"\\} 0.9\n", text);
        Assert.Matches("benchdaemon_canary_gpu_tensor_active_ratio\\{canary=\"gemm\",[^}]*,gpu=\"3\"\\} 0.75\n", text);
        Assert.Matches("benchdaemon_canary_gpu_dram_active_ratio\\{canary=\"gemm\",[^}]*,gpu=\"3\"\\} 0.2\n", text);
        Assert.DoesNotContain("benchdaemon_canary_gpu_sm_active_ratio{canary=\"cpu\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retain_CanaryRemovedByAReload_EverySeriesOfItLeavesHistogramIncluded()
    {
        var measured = Result(CanaryStatus.Ok, null, null) with { LatencySeconds = LatencyStatistics.From([0.001, 0.002]), Samples = [0.001, 0.002] };
        _harness.Sink.RecordFiring("gemm");
        _harness.Sink.RecordFiring("kept");
        _harness.Sink.Record(measured);
        _harness.Sink.Record(measured with { Canary = "kept" });
        var before = await _harness.ScrapeAsync();
        Assert.Contains("benchdaemon_canary_latency_seconds_count{canary=\"gemm\"", before, StringComparison.Ordinal);
        Assert.Contains("benchdaemon_canary_firings_total{canary=\"gemm\"} 1", before, StringComparison.Ordinal);

        _harness.Sink.Retain(["kept"]);

        var after = await _harness.ScrapeAsync();
        Assert.DoesNotContain("canary=\"gemm\"", after, StringComparison.Ordinal);
        Assert.Contains("benchdaemon_canary_latency_seconds_count{canary=\"kept\"", after, StringComparison.Ordinal);
        Assert.Contains("benchdaemon_canary_firings_total{canary=\"kept\"} 1", after, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Fault")]
    public void Record_SameFailureAtEveryFiring_OneWarningThenOneLineWhenItMeasuresAgain()
    {
        var logger = new FakeLogger<CanaryResultSink>();
        var sink = new CanaryResultSink(_harness.Recorder, TimeProvider.System, logger);
        var failed = Result(CanaryStatus.Failed, ReasonCodes.CudaError, "cuEventSynchronize: CUDA_ERROR_DEVICE_UNAVAILABLE");

        sink.Record(failed);
        sink.Record(failed);
        sink.Record(failed);
        sink.Record(Result(CanaryStatus.Failed, ReasonCodes.OutOfMemory, "cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY"));
        sink.Record(Result(CanaryStatus.Ok, null, null) with { LatencySeconds = LatencyStatistics.From([0.001, 0.002]) });
        sink.Record(Result(CanaryStatus.Failed, ReasonCodes.Shutdown, "shutdown"));

        var warnings = logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Warning).Select(r => r.Message).ToList();
        Assert.Equal(
            [
                "Canary gemm failed (cuda_error): cuEventSynchronize: CUDA_ERROR_DEVICE_UNAVAILABLE. It stays scheduled and is tried again at every firing (benchdaemon_canary_runs_total counts each); logged again only when the outcome changes.",
                "Canary gemm failed (out_of_memory): cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY. It stays scheduled and is tried again at every firing (benchdaemon_canary_runs_total counts each); logged again only when the outcome changes.",
            ],
            warnings);
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Message == "Canary gemm measures again (it was out_of_memory).");
    }

    [Fact]
    public void Record_MeasuredAndSkipped_OneReadableLineEach()
    {
        var logger = new FakeLogger<CanaryResultSink>();
        var sink = new CanaryResultSink(_harness.Recorder, TimeProvider.System, logger);
        var latency = LatencyStatistics.From([0.0489095335]) with { P50 = 0.0489095335, P99 = 0.0577 };

        sink.Record(Result(CanaryStatus.Ok, null, null) with { LatencySeconds = latency, ThroughputSamplesPerSecond = 20.3, Iterations = 120 });
        sink.Record(Result(CanaryStatus.Skipped, ReasonCodes.CpuBusy, "CPU busy: utilisation by other processes 99 % is above 80 %"));

        Assert.Equal(
            [
                "Canary result gemm cuda:gemm CUDA FP32 batch 1: ok; p50 48.9 ms, p99 57.7 ms, 20.3 samples/s, energy n/a, 120 iterations",
                "Canary result gemm cuda:gemm CUDA FP32 batch 1: skipped (CPU busy: utilisation by other processes 99 % is above 80 %)",
            ],
            logger.Collector.GetSnapshot().Where(r => r.Id.Id is 700 or 703).Select(r => r.Message));
    }

    [Fact]
    public void Record_GuardSkip_NoWarning()
    {
        var logger = new FakeLogger<CanaryResultSink>();
        var sink = new CanaryResultSink(_harness.Recorder, TimeProvider.System, logger);

        sink.Record(Result(CanaryStatus.Skipped, ReasonCodes.CpuBusy, "CPU busy"));

        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning);
    }

    private static CanaryResult Result(CanaryStatus status, string? code, string? reason) => new()
    {
        Canary = "gemm",
        Model = "cuda:gemm",
        Provider = "CUDA",
        Precision = Precision.FP32,
        Batch = 1,
        Status = status,
        ReasonCode = code,
        Reason = reason,
        StartedAt = DateTimeOffset.UnixEpoch,
    };
}
