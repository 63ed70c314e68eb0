using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BenchDaemon.Workloads.Canaries;
using BenchDaemon.Workloads.Models.Graph;
using BenchDaemon.Workloads.Models.Quantization;
using Microsoft.Extensions.Logging;

namespace BenchDaemon.Workloads.Models.Zoo;

/// <summary>
/// The built-in models (<c>builtin:resnet50</c>…): a fixed registry of generated ONNX models in
/// FP32, FP16 and INT8, written on first use to a cache under <c>{cacheDirectory}/models/</c>
/// and reused after that.
/// </summary>
/// <remarks>
/// <para>
/// A file is named <c>{name}-{precision}-{hash12}.onnx</c>, where <c>hash12</c> is the start of
/// the SHA-256 of the model's recipe (<see cref="GeneratorVersion"/>, name, precision, weight
/// seed, architecture, and for INT8 the calibration settings), so the name is known without
/// generating and a change of recipe gets a new file. Beside it
/// <c>{file}.sha256</c> records the file's size (a <c>#</c> comment line) and the SHA-256 of its
/// bytes in <c>sha256sum</c> format, so <c>sha256sum -c</c> checks it too.
/// </para>
/// <para>
/// <see cref="GetPath"/> regenerates a file that is missing, has no checksum file, or whose
/// size or hash does not match it. The size is checked on every call; the full hash (about a
/// second for bert-base's 440 MB) once per file per instance, and again only when the file's
/// size or modification time changes. Files are written to a temporary name and renamed into
/// place (<c>rename(2)</c> is atomic within a directory), so another process never reads half a
/// model; two processes that race both generate, and the last rename wins with the same bytes.
/// Within a process each (model, precision) is generated at most once at a time.
/// </para>
/// <para>
/// Generation streams: FP32 and FP16 weights are serialized to a temporary file as they are
/// drawn and copied into the model at the end (<see cref="OnnxModelBuilder.WriteTo"/>), and INT8
/// is quantized from an FP32 file, the cached one when it is valid and otherwise a temporary
/// one generated first, in phases that work from files
/// (<see cref="QdqQuantizer.Quantize(string, Stream, QuantizationOptions, CancellationToken)"/>).
/// No step holds a whole model in managed memory: measured with <c>models export</c> on a fresh
/// cache, bert-base INT8 peaks at 561 MiB resident (ONNX Runtime's calibration session holding
/// the FP32 weights) where buffering took 3.9 GB, bert-base FP32 at 155 MiB. Temporary files go
/// to the models directory, which needs room for about twice the model being written.
/// </para>
/// </remarks>
public sealed class ModelZoo
{
    /// <summary>
    /// Version of the generators, part of every recipe. Raise it whenever <see cref="ResNetModel"/>,
    /// <see cref="BertModel"/> or <see cref="QdqQuantizer"/> would write different bytes for the
    /// same recipe, so caches regenerate instead of serving the old model under the new name.
    /// </summary>
    public const int GeneratorVersion = 1;

    /// <summary>Seed of every built-in model's weights.</summary>
    public const int WeightSeed = 1;

    /// <summary>Seed of the generated calibration inputs of the INT8 models.</summary>
    public const int CalibrationSeed = 1;

    /// <summary>Subdirectory of the cache directory that holds the models.</summary>
    public const string ModelsFolder = "models";

    /// <summary>Extension appended to a model's file name for its checksum file.</summary>
    public const string ChecksumExtension = ".sha256";

    /// <summary>Family of the ResNet models.</summary>
    public const string ImageFamily = "image";

    /// <summary>Family of the BERT models.</summary>
    public const string TextFamily = "text";

    /// <summary>Family of the block stacks (<see cref="BlockConfig"/>).</summary>
    public const string BlockFamily = "block";

    private const string SizePrefix = "# size ";

    private static readonly ConcurrentDictionary<string, Entry> s_blocks = new(StringComparer.Ordinal);

    private static readonly Entry[] s_all =
    [
        Image(ResNetConfig.ResNet50, "ResNet-50 v1.5 (torchvision layout), 224×224 RGB, 1000 classes; deterministic untrained weights"),
        Image(ResNetConfig.Mini, "ResNet with one bottleneck block per stage, 8 stem channels, 32×32 RGB, 10 classes; for tests"),
        Text(BertConfig.Base, 128, "BERT-base uncased encoder with pooler: 12 layers, hidden 768, 12 heads; deterministic untrained weights"),
        Text(BertConfig.Tiny, 16, "BERT with 2 layers, hidden 64, 2 heads, vocabulary 1000; for tests"),
    ];

    private static readonly FrozenDictionary<string, Entry> s_entries = s_all.ToFrozenDictionary(e => e.Info.Name, StringComparer.OrdinalIgnoreCase);

    private readonly ILogger<ModelZoo> _logger;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FileStamp> _verified = new(StringComparer.Ordinal);

    /// <summary>Creates a zoo that keeps its models under <c><paramref name="cacheDirectory"/>/models/</c>.</summary>
    /// <param name="cacheDirectory">The cache root, normally the state directory; created with <c>models/</c> on first generation.</param>
    /// <param name="logger">Receives generation and regeneration messages.</param>
    /// <param name="timeProvider">Times generation and verification; <see cref="TimeProvider.System"/> when null.</param>
    public ModelZoo(string cacheDirectory, ILogger<ModelZoo> logger, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(cacheDirectory);
        ArgumentNullException.ThrowIfNull(logger);
        ModelsDirectory = Path.GetFullPath(Path.Combine(cacheDirectory, ModelsFolder));
        _logger = logger;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The built-in models, in a fixed order: resnet50, resnet-mini, bert-base, bert-tiny.</summary>
    public static IReadOnlyList<BuiltinModelInfo> Models { get; } = Array.AsReadOnly(Array.ConvertAll(s_all, e => e.Info));

    /// <summary>The precisions every built-in model comes in.</summary>
    public static IReadOnlyList<Precision> Precisions { get; } = [Precision.FP32, Precision.FP16, Precision.INT8];

    /// <summary>The directory that holds the generated models: <c>{cacheDirectory}/models</c>, absolute.</summary>
    public string ModelsDirectory { get; }

    /// <summary>The built-in model called <paramref name="name"/> (case-insensitive), or null if there is none.</summary>
    /// <remarks>Besides the fixed models, block stacks are built-in under their <see cref="BlockConfig"/> names (<c>conv-w64-d3</c>, <c>mha-e256-d6</c>).</remarks>
    public static BuiltinModelInfo? TryGet(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        try
        {
            return s_entries.TryGetValue(name, out var entry) ? entry.Info : BlockEntry(name)?.Info;
        }
        catch (ArgumentException)
        {
            // A block name with a value out of range: not a model (BlockConfig.TryParse says why).
            return null;
        }
    }

    /// <summary>The names users can write, for error messages: the fixed models and the block-stack forms.</summary>
    public static string KnownNames => string.Join(", ", Models.Select(m => m.Name)) + ", conv-w{width}-d{depth}[-s{size}], mha-e{embedding}-d{depth}";

    /// <summary>
    /// The cache file name of <paramref name="name"/> in <paramref name="precision"/>,
    /// <c>{name}-{precision}-{hash12}.onnx</c>; known without generating anything.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a built-in model, or <paramref name="precision"/> is not a defined value.</exception>
    public static string FileName(string name, Precision precision)
    {
        var entry = Find(name);
        return FileName(entry, CheckPrecision(precision));
    }

    /// <summary>The cache path of <paramref name="name"/> in <paramref name="precision"/>, whether or not the file exists.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a built-in model, or <paramref name="precision"/> is not a defined value.</exception>
    public string PathOf(string name, Precision precision) => Path.Combine(ModelsDirectory, FileName(name, precision));

    /// <summary>
    /// Whether the model is in the cache, from its size and checksum file only: cheap enough to
    /// list every model, but a corrupt file of the right size shows as cached until
    /// <see cref="GetPath"/> hashes it.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a built-in model, or <paramref name="precision"/> is not a defined value.</exception>
    public ModelCacheEntry Inspect(string name, Precision precision)
    {
        var entry = Find(name);
        var path = Path.Combine(ModelsDirectory, FileName(entry, CheckPrecision(precision)));
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            return new ModelCacheEntry(entry.Info.Name, precision, path, Cached: false, Bytes: null);
        }

        var checksum = ReadChecksum(path);
        return new ModelCacheEntry(entry.Info.Name, precision, path, checksum is { } c && c.Length == file.Length, file.Length);
    }

    /// <summary>
    /// Returns the path of <paramref name="name"/> in <paramref name="precision"/>, generating it
    /// into the cache first when it is missing or does not match its checksum. Generation takes
    /// from milliseconds (the test models) to about half a minute (bert-base INT8) and is logged.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a built-in model, or <paramref name="precision"/> is not a defined value.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting for another generation of the same file or between generation steps.</exception>
    /// <exception cref="IOException">The cache directory cannot be created or written.</exception>
    /// <exception cref="UnauthorizedAccessException">The cache directory or file is not accessible.</exception>
    public string GetPath(string name, Precision precision, CancellationToken cancellationToken = default)
    {
        var entry = Find(name);
        var path = Path.Combine(ModelsDirectory, FileName(entry, CheckPrecision(precision)));
        var gate = _gates.GetOrAdd(path, _ => new SemaphoreSlim(1, 1));
        gate.Wait(cancellationToken);
        try
        {
            var problem = Check(path);
            if (problem is null)
            {
                return path;
            }

            if (problem.Length == 0)
            {
                Log.Generating(_logger, entry.Info.Name, precision, path);
            }
            else
            {
                Log.Regenerating(_logger, path, problem, entry.Info.Name, precision);
            }

            Generate(entry, precision, path, cancellationToken);
            return path;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The recipe whose SHA-256 names the file: everything that decides its bytes.</summary>
    internal static string Recipe(string name, Precision precision) => Recipe(Find(name), CheckPrecision(precision));

    private static Entry Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return s_entries.TryGetValue(name, out var entry)
            ? entry
            : BlockEntry(name)
              ?? throw new ArgumentException($"'{name}' is not a built-in model; built-in models: {string.Join(", ", Models.Select(m => m.Name))}, and block stacks conv-w{{width}}-d{{depth}}[-s{{size}}] and mha-e{{embedding}}-d{{depth}}.", nameof(name));
    }

    private static Precision CheckPrecision(Precision precision) =>
        Precisions.Contains(precision) ? precision : throw new ArgumentException($"{precision} is not a precision of built-in models (FP32, FP16, INT8).", nameof(precision));

    private static string Token(Precision precision) => precision switch
    {
        Precision.FP32 => "fp32",
        Precision.FP16 => "fp16",
        _ => "int8",
    };

    private static string FileName(Entry entry, Precision precision)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(Recipe(entry, precision)));
        return $"{entry.Info.Name}-{Token(precision)}-{Convert.ToHexStringLower(hash)[..12]}.onnx";
    }

    private static string Recipe(Entry entry, Precision precision)
    {
        var invariant = CultureInfo.InvariantCulture;
        var recipe = new StringBuilder()
            .Append(invariant, $"benchdaemon-model-zoo/{GeneratorVersion}\n")
            .Append(invariant, $"name={entry.Info.Name}\n")
            .Append(invariant, $"precision={Token(precision)}\n")
            .Append(invariant, $"seed={WeightSeed}\n")
            .Append(invariant, $"config={entry.Config}\n");
        if (precision == Precision.INT8)
        {
            var q = entry.Quantization;
            var dimensions = string.Join(",", q.Dimensions.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key}={d.Value.ToString(invariant)}"));
            recipe.Append(invariant,
                $"quantization=qdq calibration={q.CalibrationMethod} percentile={q.Percentile} batches={q.CalibrationBatches} batch_size={q.BatchSize} " +
                $"seed={q.Seed} dimensions={dimensions} ops={string.Join(",", q.OpTypes)} per_channel={q.PerChannel} " +
                $"activations={q.ActivationType} weights={q.WeightType} reduce_range={q.ReduceRange} preprocess={q.Preprocess}\n");
        }

        return recipe.ToString();
    }

    private static Entry Image(ResNetConfig config, string description)
    {
        var dimensions = new Dictionary<string, long>(StringComparer.Ordinal) { ["image"] = config.ImageSize };
        var info = new BuiltinModelInfo(
            config.Name,
            ImageFamily,
            ResNetModel.ParameterCount(config),
            ResNetModel.MacsPerSample(config),
            dimensions.AsReadOnly(),
            description);
        var blocks = string.Join(",", config.Blocks.Select(b => b.ToString(CultureInfo.InvariantCulture)));
        var recipe = string.Create(CultureInfo.InvariantCulture,
            $"resnet blocks={blocks} base_width={config.BaseWidth} image={config.ImageSize} classes={config.Classes}");
        // The input's only symbolic dimension is the batch: calibration needs no sizes.
        return new Entry(info, recipe, (float16, destination, scratch) => ResNetModel.Write(config, destination, scratch, float16, WeightSeed), new QuantizationOptions { Seed = CalibrationSeed });
    }

    private static Entry Text(BertConfig config, int sequence, string description)
    {
        var dimensions = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            [BertModel.Sequence] = sequence,
            [InputGenerator.VocabularyKey] = config.Vocab,
        };
        var info = new BuiltinModelInfo(
            config.Name,
            TextFamily,
            BertModel.ParameterCount(config),
            BertModel.MacsPerSample(config, sequence),
            dimensions.AsReadOnly(),
            description);
        var recipe = string.Create(CultureInfo.InvariantCulture,
            $"bert layers={config.Layers} hidden={config.Hidden} heads={config.Heads} intermediate={config.Intermediate} " +
            $"vocab={config.Vocab} max_positions={config.MaxPositions} type_vocab={config.TypeVocab}");
        // Calibrated at the default sequence with token ids over the whole vocabulary, as a canary feeds it.
        return new Entry(info, recipe, (float16, destination, scratch) => BertModel.Write(config, destination, scratch, float16, WeightSeed), new QuantizationOptions { Seed = CalibrationSeed, Dimensions = info.Dimensions });
    }

    private static Entry? BlockEntry(string name)
    {
        if (s_blocks.TryGetValue(name, out var cached))
        {
            return cached;
        }

        if (BlockConfig.TryParse(name) is not { } config)
        {
            return null;
        }

        var dimensions = new Dictionary<string, long>(StringComparer.Ordinal);
        if (config.Kind == BlockKind.Conv)
        {
            dimensions["image"] = config.ImageSize;
        }

        var kind = config.Kind == BlockKind.Conv ? "3×3 Conv→BatchNorm→ReLU" : "multi-head attention (heads of 64, sequence 10)";
        var info = new BuiltinModelInfo(
            config.Name,
            BlockFamily,
            BlockModel.ParameterCount(config),
            BlockModel.MacsPerSample(config),
            dimensions.AsReadOnly(),
            string.Create(CultureInfo.InvariantCulture, $"{config.Depth} × {kind} block, width {config.Width}; the graph-compiler study's depth experiment"));
        var recipe = string.Create(CultureInfo.InvariantCulture, $"block kind={config.Kind} width={config.Width} depth={config.Depth} size={config.ImageSize}");
        var entry = new Entry(info, recipe, (float16, destination, scratch) => BlockModel.Write(config, destination, scratch, float16, WeightSeed), new QuantizationOptions { Seed = CalibrationSeed });
        return s_blocks.GetOrAdd(config.Name, entry);
    }

    /// <summary>Null when the file is valid; empty when it is missing (first use); otherwise what is wrong with it.</summary>
    private string? Check(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            return string.Empty;
        }

        var checksum = ReadChecksum(path);
        if (checksum is not { } expected)
        {
            return $"has no readable checksum file {Path.GetFileName(path)}{ChecksumExtension}";
        }

        if (file.Length != expected.Length)
        {
            return string.Create(CultureInfo.InvariantCulture, $"is {file.Length} bytes but its checksum file records {expected.Length} (truncated or overwritten)");
        }

        var stamp = new FileStamp(file.Length, file.LastWriteTimeUtc);
        if (_verified.TryGetValue(path, out var verified) && verified == stamp)
        {
            return null;
        }

        var start = _timeProvider.GetTimestamp();
        string actual;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 20, FileOptions.SequentialScan))
        {
            actual = Convert.ToHexStringLower(SHA256.HashData(stream));
        }

        if (!string.Equals(actual, expected.Sha256, StringComparison.Ordinal))
        {
            _verified.TryRemove(path, out _);
            return $"has SHA-256 {actual} but its checksum file records {expected.Sha256} (corrupt)";
        }

        _verified[path] = stamp;
        var seconds = _timeProvider.GetElapsedTime(start).TotalSeconds;
        Log.Verified(_logger, path, file.Length, seconds);
        return null;
    }

    private void Generate(Entry entry, Precision precision, string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var start = _timeProvider.GetTimestamp();
        Directory.CreateDirectory(ModelsDirectory);
        _verified.TryRemove(path, out _);

        // Model first, then its checksum: a reader between the two renames sees a mismatch and
        // regenerates the same bytes, never accepts a file its checksum does not describe.
        var (length, sha256) = WriteAtomically(path, stream =>
        {
            if (precision == Precision.INT8)
            {
                Quantize(entry, stream, cancellationToken);
            }
            else
            {
                entry.Write(precision == Precision.FP16, stream, ModelsDirectory);
            }
        });
        var checksum = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{SizePrefix}{length}\n{sha256}  {Path.GetFileName(path)}\n"));
        WriteAtomically(path + ChecksumExtension, stream => stream.Write(checksum));

        var written = new FileInfo(path);
        if (written.Exists && written.Length == length)
        {
            _verified[path] = new FileStamp(written.Length, written.LastWriteTimeUtc);
        }

        var seconds = _timeProvider.GetElapsedTime(start).TotalSeconds;
        Log.Generated(_logger, entry.Info.Name, precision, seconds, length, sha256, path);

        ReleaseMemory();
    }

    /// <summary>
    /// Quantizes <paramref name="entry"/>'s FP32 model into <paramref name="destination"/>, from a
    /// file rather than from memory: the cached one when it is there and valid (usually, since
    /// it is every INT8 canary's drift reference), held under its gate so that nothing replaces
    /// it meanwhile; otherwise one generated to a temporary file and deleted again, so that
    /// asking for INT8 caches INT8 only.
    /// </summary>
    private void Quantize(Entry entry, Stream destination, CancellationToken cancellationToken)
    {
        var cached = Path.Combine(ModelsDirectory, FileName(entry, Precision.FP32));
        var gate = _gates.GetOrAdd(cached, _ => new SemaphoreSlim(1, 1));
        gate.Wait(cancellationToken);
        try
        {
            if (Check(cached) is null)
            {
                QdqQuantizer.Quantize(cached, destination, entry.Quantization, cancellationToken);
                return;
            }
        }
        finally
        {
            gate.Release();
        }

        var temporary = string.Create(CultureInfo.InvariantCulture, $"{cached}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                entry.Write(false, stream, ModelsDirectory);
            }

            ReleaseMemory();
            cancellationToken.ThrowIfCancellationRequested();
            QdqQuantizer.Quantize(temporary, destination, entry.Quantization, cancellationToken);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    // Generation leaves large-object garbage (a weight buffer of up to 94 MB, bert-base's INT8
    // weights) that the GC would keep committed. Returning it costs milliseconds, is rare, and
    // lowers both what a daemon keeps after generating (bert-base INT8: 270 MB → 90 MB resident)
    // and INT8's peak, which comes after the FP32 generation (models export bert-base -p int8
    // on a fresh cache: 654 MiB → 562 MiB).
    private static void ReleaseMemory() =>
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    /// <summary>
    /// Writes a file through <paramref name="write"/> to a temporary name, hashes what is on disk,
    /// and renames it to <paramref name="path"/>; returns its size and SHA-256.
    /// </summary>
    private static (long Length, string Sha256) WriteAtomically(string path, Action<Stream> write)
    {
        var temporary = string.Create(CultureInfo.InvariantCulture, $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var moved = false;
        try
        {
            long length;
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                write(stream);
                // On disk before the rename, so a crash cannot leave a complete name over missing data.
                stream.Flush(flushToDisk: true);
                length = stream.Length;
            }

            // Read back rather than hashed on the way in: the checksum describes the bytes on disk
            // (from the page cache, about a second for bert-base's 440 MB, as hashing in memory took).
            string sha256;
            using (var stream = new FileStream(temporary, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan))
            {
                sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
            }

            File.Move(temporary, path, overwrite: true);
            moved = true;
            return (length, sha256);
        }
        finally
        {
            if (!moved)
            {
                File.Delete(temporary);
            }
        }
    }

    private static (long Length, string Sha256)? ReadChecksum(string modelPath)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(modelPath + ChecksumExtension);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        long? length = null;
        string? sha256 = null;
        foreach (var line in lines)
        {
            if (line.StartsWith(SizePrefix, StringComparison.Ordinal))
            {
                length = long.TryParse(line.AsSpan(SizePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
            }
            else if (line.Length >= 64 && !line.StartsWith('#') && sha256 is null)
            {
                sha256 = line[..64];
            }
        }

        return length is { } l && sha256 is { } s && s.All(char.IsAsciiHexDigitLower) ? (l, s) : null;
    }

    /// <summary>A file's size and modification time when its hash was last checked.</summary>
    private readonly record struct FileStamp(long Length, DateTime LastWriteUtc);

    /// <summary>A built-in model: what it is, how to build it, and what its recipe says.</summary>
    /// <remarks><c>Write(float16, destination, scratchDirectory)</c> writes the FP32 or FP16 model, streaming its weights through a file in the scratch directory.</remarks>
    private sealed record Entry(BuiltinModelInfo Info, string Config, Action<bool, Stream, string> Write, QuantizationOptions Quantization);
}
