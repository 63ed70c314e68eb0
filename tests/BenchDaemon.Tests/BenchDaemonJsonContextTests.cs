using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using BenchDaemon.Cli;
using BenchDaemon.History;
using BenchDaemon.Probes;
using BenchDaemon.Tests.History;
using BenchDaemon.Workers;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Cuda;
using BenchDaemon.Workloads.Onnx;
using BenchDaemon.Workloads.Studies;
using BenchDaemon.Workloads.Tests.Studies;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace BenchDaemon.Tests;

/// <summary>
/// A native AOT build has no reflection-based serializer: every type the daemon writes or reads
/// must come from <see cref="BenchDaemonJsonContext"/>. A reflection fallback would hide a missing
/// type here and fail only in the AOT build, so the options must have none.
/// </summary>
public sealed class BenchDaemonJsonContextTests
{
    private static readonly DateTimeOffset s_t0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> OptionNames => ["WorkerProtocol.Json", "HistoryJson.Options", "CliJson.Options"];

    [Theory]
    [MemberData(nameof(OptionNames))]
    public void Options_TypeOutsideTheContext_HasNoMetadata(string name)
    {
        var options = Get(name);

        Assert.DoesNotContain(options.TypeInfoResolverChain, r => r is DefaultJsonTypeInfoResolver);
        Assert.Null(options.TypeInfoResolver!.GetTypeInfo(typeof(NotInTheContext), options));
        Assert.Throws<NotSupportedException>(() => JsonSerializer.Serialize(new NotInTheContext(1), options));
    }

    [Theory]
    [MemberData(nameof(OptionNames))]
    public void Options_EveryEnumInTheContext_HasItsOwnStringConverter(string name)
    {
        // The non-generic JsonStringEnumConverter makes each enum's converter at run time
        // (MakeGenericType), which a native AOT build cannot; the generic one per enum is made at
        // build time. Every enum the context reaches must have one, or it would be written as a number.
        var options = Get(name);
        var enums = typeof(BenchDaemonJsonContext).GetProperties()
            .Where(p => p.PropertyType.IsAssignableTo(typeof(JsonTypeInfo)) && p.GetMethod!.IsStatic == false)
            .Select(p => ((JsonTypeInfo)p.GetValue(BenchDaemonJsonContext.Default)!).Type)
            .Select(t => Nullable.GetUnderlyingType(t) ?? t)
            .Where(t => t.IsEnum)
            .Distinct()
            .ToList();

        Assert.NotEmpty(enums);
        var missing = enums.Where(e => !options.Converters.Any(c => c.GetType() == typeof(JsonStringEnumConverter<>).MakeGenericType(e))).Select(e => e.FullName).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "no JsonStringEnumConverter<T> for: " + string.Join(", ", missing));
        Assert.DoesNotContain(options.Converters, c => c.GetType() == typeof(JsonStringEnumConverter));
    }

    [Fact]
    public void Requests_RoundTrip_SameTypeAndLine()
    {
        var canary = Canary();
        WorkerRequest[] requests =
        [
            new InitRequest(new WorkerSettings("/var/lib/benchdaemon", new OnnxRuntimeOptions(), new CudaOptions(), new ProbeOptions(), LogLevel.Debug, Spans: true)),
            new DescribeRequest(1),
            new PrepareRequest(2, canary),
            new RunRequest(3, canary, 4),
            new StudyCellRequest(4, GoldenCells.Options, new StudyCellPlan(canary, 4, StudyCellPlan.Optimised, StudyCellPlan.InferenceMode), "no RAPL"),
            new GenerateRequest(5, "resnet50", Precision.FP16),
            new CancelRequest(3),
        ];

        AssertRoundTrips(requests);
    }

    [Fact]
    public void Events_RoundTrip_SameTypeAndLine()
    {
        WorkerEvent[] events =
        [
            new HelloEvent(WorkerProtocol.Version, "1.2.3", 42),
            new ProgressEvent(1, CanaryPhase.Measuring),
            new LogEvent(LogLevel.Warning, "Worker", 7, "Name", "took 1.5 s", "took {Seconds} s", new Dictionary<string, JsonElement> { ["Seconds"] = JsonSerializer.SerializeToElement(1.5, BenchDaemonJsonContext.Default.Double) }, "System.Exception: boom"),
            new DescriptionEvent(2, new RuntimeDescription("1.23.0", ["CPUExecutionProvider"], null, ProviderUsabilityReport.None)),
            new PreparedEvent(3, 0.5, ["model.onnx"], CanaryStatus.Ok, null, null),
            new RunResultEvent(4, Runs.Result("mlp", s_t0, [0.01, 0.02]), WorkerProtocol.EncodeSamples([0.01, 0.02]), [new WorkerSpan("session", -1, s_t0, TimeSpan.FromSeconds(1), new Dictionary<string, string> { ["k"] = "v" }, ActivityStatusCode.Ok, null)], 2),
            new StudyCellEvent(5, GoldenCells.Raw()[0]),
            new GeneratedEvent(6, "/models/resnet50.onnx", 1.5),
            new FailedEvent(7, "boom"),
        ];

        AssertRoundTrips(events);
    }

    // Each message comes back as the same type and serializes to the same line.
    private static void AssertRoundTrips<T>(IEnumerable<T> messages)
        where T : class
    {
        foreach (var message in messages)
        {
            var line = WorkerProtocol.Serialize(message);
            var back = WorkerProtocol.Deserialize<T>(line);

            Assert.NotNull(back);
            Assert.Equal(message.GetType(), back.GetType());
            Assert.Equal(line, WorkerProtocol.Serialize(back));
        }
    }

    [Fact]
    public void WorkerLog_PropertyValues_KeepTheirJsonType()
    {
        var stream = new MemoryStream();
        using (var output = new WorkerOutput(stream))
        {
            using var provider = new ProtocolLoggerProvider(output, LogLevel.Information);
            List<KeyValuePair<string, object?>> state =
            [
                new("String", "text"), new("Bool", true), new("Int", 1), new("Long", 2L), new("Double", 0.5), new("NaN", double.NaN),
                new("Float", 1.5f), new("Decimal", 2.25m), new("Short", (short)3), new("Byte", (byte)4), new("UInt", 5u), new("ULong", 6ul),
                new("Null", null), new("Enum", LogLevel.Warning), new("Formattable", TimeSpan.FromSeconds(1)), new("Other", new Uri("http://host/")),
                new("{OriginalFormat}", "values"),
            ];
            provider.CreateLogger("Test").Log(LogLevel.Information, new EventId(1, "Values"), state, null, (_, _) => "values");
        }

        var line = Encoding.UTF8.GetString(stream.ToArray()).TrimEnd('\n');
        var log = Assert.IsType<LogEvent>(WorkerProtocol.Deserialize<WorkerEvent>(line));

        Assert.Equal("values", log.Template);
        Assert.Equal(
            "String=\"text\" Bool=true Int=1 Long=2 Double=0.5 NaN=\"NaN\" Float=1.5 Decimal=2.25 Short=3 Byte=4 UInt=5 ULong=6 "
                + "Null=null Enum=\"Warning\" Formattable=\"00:00:01\" Other=\"http://host/\"",
            string.Join(' ', log.Properties!.Select(p => $"{p.Key}={p.Value.GetRawText()}")));
    }

    private static JsonSerializerOptions Get(string name) => name switch
    {
        "WorkerProtocol.Json" => WorkerProtocol.Json,
        "HistoryJson.Options" => HistoryJson.Options,
        _ => CliJson.Options,
    };

    private static CanaryDefinition Canary() => new(
        Name: "resnet50-cuda",
        Model: "builtin:resnet50",
        Variants: new Dictionary<Precision, string> { [Precision.FP16] = "/models/resnet50-fp16.onnx" },
        Provider: "CUDA",
        ProviderOptions: new Dictionary<string, string>(StringComparer.Ordinal) { ["device_id"] = "0" },
        Precision: Precision.FP16,
        BatchSizes: [1, 4],
        Threads: 1,
        GraphOptimization: GraphOptimizationLevel.ORT_ENABLE_ALL,
        Inputs: new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase) { ["batch"] = 4 },
        InputFiles: new Dictionary<string, string>(StringComparer.Ordinal),
        Seed: 1,
        Measure: new MeasureOptions(),
        Schedule: new CanarySchedule(TimeSpan.FromMinutes(5), null, TimeSpan.Zero));

    private sealed record NotInTheContext(int Value);
}
