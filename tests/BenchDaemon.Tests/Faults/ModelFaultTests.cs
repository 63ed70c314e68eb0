using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using BenchDaemon.History;
using BenchDaemon.Tests.Support;
using BenchDaemon.Workloads.Models;

namespace BenchDaemon.Tests.Faults;

/// <summary>
/// Broken model files under a running daemon: every fault fails its own canary with a reason
/// code and a clear reason, the other canaries and the exports go on, and the history keeps
/// every run (docs/faults.md, faults 101-109).
/// </summary>
[Collection(SerialTestGroup.Name)]
[Trait("Category", "Fault")]
public sealed partial class ModelFaultTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Run_BrokenModels_EachCanaryFailsWithItsReasonAndTheRestKeepRunning()
    {
        var mlp = TinyModels.Mlp();
        var healthy = Model("healthy.onnx", mlp);
        var missing = Path.Combine(_temp.Path, "missing.onnx");
        var empty = Model("empty.onnx", []);
        var truncated = Model("truncated.onnx", mlp[..(mlp.Length / 2)]);
        var garbage = Model("garbage.onnx", RandomBytes(4096));
        var unreadable = Model("unreadable.onnx", mlp);
        File.SetUnixFileMode(unreadable, UnixFileMode.None);
        var opset = Model("opset.onnx", TinyModels.WithOpset(999));
        var inputs = Model("inputs.onnx", mlp);
        var npy = Path.Combine(_temp.Path, "pixels.npy");
        File.WriteAllBytes(npy, Npy(16));
        var swapped = Model("swapped.onnx", mlp);
        var pinned = Model("pinned.onnx", mlp);
        var config = _temp.File("config.json", $$"""
            { "Guards": { "DutyFraction": 1, "CpuBusyThreshold": 1 },
              "Canaries": [
                {{Canary("healthy", healthy)}},
                {{Canary("missing", missing)}},
                {{Canary("empty", empty)}},
                {{Canary("truncated", truncated)}},
                {{Canary("garbage", garbage)}},
                {{Canary("unreadable", unreadable)}},
                {{Canary("opset", opset)}},
                {{Canary("inputs", inputs, extra: $"\"InputFiles\": {{ \"pixels\": \"{npy}\" }},")}},
                {{Canary("swapped", swapped)}},
                {{Canary("pinned", pinned, extra: $"\"Sha256\": \"{Convert.ToHexStringLower(SHA256.HashData(mlp))}\",")}}
              ] }
            """);
        await using var daemon = DaemonProcess.Start(_temp.Path, ["--config", config], launcher: Privileges.WithoutFileOverride);
        await daemon.WaitForAsync("/metrics", TimeSpan.FromSeconds(60));

        // Each fault meets its canary at its first run: failed, with a bounded reason code.
        var expected = new (string Canary, string Code, string Reason)[]
        {
            ("missing", "model_invalid", $"model file not found: {missing}"),
            ("empty", "model_invalid", $"model file is empty: {empty}"),
            ("truncated", "model_invalid", $"model file is not a valid ONNX model (truncated or not ONNX): {truncated}"),
            ("garbage", "model_invalid", $"model file is not a valid ONNX model (truncated or not ONNX): {garbage}"),
            ("unreadable", "model_invalid", $"Access to the path '{unreadable}' is denied."),
            ("opset", "model_invalid", "ONNX Runtime cannot load the model"),
            ("inputs", "input_error", "InputFiles:pixels is not an input of the model (inputs: input)"),
        };
        var text = await Scrape.UntilAsync(daemon, t => expected.All(e => Failed(t, e.Canary, e.Code) >= 2) && Measured(t, "swapped") >= 1 && Measured(t, "pinned") >= 1,
            "every broken canary failed twice, swapped and pinned measured");
        Assert.True(Measured(text, "healthy") >= 1);

        // A different valid model replaces the file (atomically, as a deployment does): the next
        // run builds its session from the new file, and the fingerprint records the change.
        var other = TinyModels.Mlp(seed: 2);
        Replace(swapped, other);
        Replace(pinned, other);
        text = await Scrape.UntilAsync(daemon, t => t.Contains("benchdaemon_environment_change_timestamp_seconds{field=\"model_hash\"", StringComparison.Ordinal)
            && Failed(t, "pinned", "integrity_mismatch") >= 2, "the swapped model measured as a new environment, the pinned one refused twice");
        var measuredBeforeGarbage = Measured(text, "swapped");

        // Garbage replaces it in place: the next run fails with a reason, nothing crashes.
        File.WriteAllBytes(swapped, RandomBytes(2048));
        text = await Scrape.UntilAsync(daemon, t => Failed(t, "swapped", "model_invalid") >= 1 && Measured(t, "healthy") >= 3, "the garbage swap failed");

        // 1. The daemon is up and answers.
        Assert.Contains("\"status\":\"Healthy\"", await daemon.WaitForAsync("/healthz", TimeSpan.FromSeconds(10)), StringComparison.Ordinal);
        Assert.False(daemon.HasExited);

        // 3. One clear line per failed run (its result), the reason in words; no stack trace;
        //    a refused SHA-256 is an error said once however often it repeats.
        var stdout = daemon.StandardOutput;
        foreach (var (canary, _, reason) in expected)
        {
            Assert.Matches($"Canary result {canary} .*: failed .*{Regex.Escape(reason)}", stdout);
        }

        Assert.DoesNotContain("   at ", stdout, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(stdout, "Canary pinned: model file .* does not match its configured SHA-256"));
        Assert.Contains("Environment of swapped changed: model_hash", stdout, StringComparison.Ordinal);

        // 4. Every run is in the history, readable, the swapped canary's runs of both models included.
        var (exitCode, _) = await daemon.StopAsync(Signals.SigTerm, TimeSpan.FromSeconds(15));
        Assert.Equal(0, exitCode);
        using var store = HistoryStore.OpenRead(Path.Combine(_temp.Path, HistoryOptions.DefaultFileName));
        Assert.Equal("ok", store.IntegrityCheck());
        Assert.True(store.Runs("healthy").Count >= 3);
        var swappedRuns = store.Runs("swapped");
        Assert.Equal(2, swappedRuns.Where(r => r.Result.LatencySeconds is not null).Select(r => r.Fingerprint.ModelHash).Distinct().Count());
        Assert.True(swappedRuns.Count(r => r.Result.LatencySeconds is not null) >= measuredBeforeGarbage);
        Assert.Contains(swappedRuns, r => r.Result.ReasonCode == "model_invalid");
        foreach (var (canary, code, _) in expected)
        {
            Assert.Contains(store.Runs(canary), r => r.Result.ReasonCode == code);
        }
    }

    private static double Failed(string metrics, string canary, string code) =>
        Scrape.Value(metrics, $"benchdaemon_canary_runs_total{{canary=\"{canary}\",status=\"failed\",reason=\"{code}\"}}") ?? 0;

    private static double Measured(string metrics, string canary) =>
        Scrape.Sum(metrics, $"benchdaemon_canary_runs_total\\{{canary=\"{canary}\",status=\"(ok|unstable)\",[^}}]*\\}}");

    private string Model(string name, byte[] bytes)
    {
        var path = Path.Combine(_temp.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private void Replace(string path, byte[] bytes)
    {
        var next = Path.Combine(_temp.Path, $"next-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(next, bytes);
        File.Move(next, path, overwrite: true);
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(101).NextBytes(bytes);
        return bytes;
    }

    // A float32 [1, n] .npy file (format 1.0: magic, header length, header padded to 64 bytes).
    private static byte[] Npy(int n)
    {
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': (1, {n}), }}";
        var total = (10 + header.Length + 1 + 63) / 64 * 64;
        header = header.PadRight(total - 10 - 1) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange(Encoding.ASCII.GetBytes("NUMPY"));
        bytes.AddRange([1, 0, (byte)header.Length, 0]);
        bytes.AddRange(Encoding.ASCII.GetBytes(header));
        bytes.AddRange(new byte[4 * n]);
        return [.. bytes];
    }

    private static string Canary(string name, string model, string extra = "") => $$"""
        { "Name": "{{name}}", "Model": "{{model}}", "Interval": "00:00:02", "Threads": 1, {{extra}}
          "Measure": { "MinIterations": 20, "MinDuration": "00:00:00.050", "Budget": "00:00:10", "WarmupMaxDuration": "00:00:00.200" } }
        """;
}
