using System.Globalization;
using System.Text.RegularExpressions;

namespace BenchDaemon.Workloads.Models.Zoo;

/// <summary>
/// A stack of identical blocks, the graph-compiler study's depth experiment, named in the
/// model zoo as <c>conv-w{width}-d{depth}</c> (optionally <c>-s{size}</c>) or
/// <c>mha-e{embedding}-d{depth}</c>, for example <c>builtin:conv-w64-d3</c> or
/// <c>builtin:mha-e256-d6</c>.
/// </summary>
/// <param name="Kind">Conv→BatchNorm→ReLU blocks or multi-head-attention blocks.</param>
/// <param name="Width">Conv: channels; MHA: embedding dimension (a multiple of <see cref="HeadDimension"/>).</param>
/// <param name="Depth">Number of stacked blocks.</param>
/// <param name="ImageSize">Conv: input height and width; MHA: unused (0).</param>
public sealed partial record BlockConfig(BlockKind Kind, int Width, int Depth, int ImageSize)
{
    /// <summary>The widths of the study's conv blocks.</summary>
    public static readonly IReadOnlyList<int> ConvWidths = [64, 96, 128, 256];

    /// <summary>The embedding dimensions of the study's attention blocks.</summary>
    public static readonly IReadOnlyList<int> AttentionWidths = [128, 256, 384, 512];

    /// <summary>Default conv input size: the paper uses 244, which costs 2.2 GMAC per 64-wide block; 56 is a ResNet stage-2 resolution and keeps CPU sweeps short.</summary>
    public const int DefaultImageSize = 56;

    /// <summary>Sequence length of the attention blocks, as in the study.</summary>
    public const int SequenceLength = 10;

    /// <summary>Per-head dimension of the attention blocks: heads = embedding / 64.</summary>
    public const int HeadDimension = 64;

    /// <summary>Deepest stack accepted.</summary>
    public const int MaxDepth = 24;

    /// <summary>Widest block accepted.</summary>
    public const int MaxWidth = 1024;

    /// <summary>Largest conv input accepted.</summary>
    public const int MaxImageSize = 512;

    /// <summary>The zoo name, for example <c>conv-w64-d3</c>.</summary>
    public string Name => Kind == BlockKind.Conv
        ? string.Create(CultureInfo.InvariantCulture, $"conv-w{Width}-d{Depth}{(ImageSize == DefaultImageSize ? string.Empty : $"-s{ImageSize}")}")
        : string.Create(CultureInfo.InvariantCulture, $"mha-e{Width}-d{Depth}");

    /// <summary>Parses a block name; returns null when <paramref name="name"/> is not a block name at all.</summary>
    /// <exception cref="ArgumentException">The name has the block form but a value out of range.</exception>
    public static BlockConfig? TryParse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var match = NamePattern().Match(name);
        if (!match.Success)
        {
            return null;
        }

        var kind = match.Groups["kind"].Value == "conv" ? BlockKind.Conv : BlockKind.Attention;
        var width = int.Parse(match.Groups["width"].Value, CultureInfo.InvariantCulture);
        var depth = int.Parse(match.Groups["depth"].Value, CultureInfo.InvariantCulture);
        var size = match.Groups["size"].Success ? int.Parse(match.Groups["size"].Value, CultureInfo.InvariantCulture) : DefaultImageSize;
        if (kind == BlockKind.Attention && match.Groups["size"].Success)
        {
            throw new ArgumentException($"'{name}': attention blocks take no -s size (the sequence is {SequenceLength}).", nameof(name));
        }

        if (width is < 1 or > MaxWidth)
        {
            throw new ArgumentException($"'{name}': width {width} is out of range 1-{MaxWidth}.", nameof(name));
        }

        if (kind == BlockKind.Attention && width % HeadDimension != 0)
        {
            throw new ArgumentException($"'{name}': the embedding {width} must be a multiple of {HeadDimension} (heads of {HeadDimension}).", nameof(name));
        }

        if (depth is < 1 or > MaxDepth)
        {
            throw new ArgumentException($"'{name}': depth {depth} is out of range 1-{MaxDepth}.", nameof(name));
        }

        if (size is < 8 or > MaxImageSize)
        {
            throw new ArgumentException($"'{name}': size {size} is out of range 8-{MaxImageSize}.", nameof(name));
        }

        return new BlockConfig(kind, width, depth, kind == BlockKind.Conv ? size : 0);
    }

    [GeneratedRegex(@"^(?:(?<kind>conv)-w|(?<kind>mha)-e)(?<width>[0-9]{1,5})-d(?<depth>[0-9]{1,3})(?:-s(?<size>[0-9]{1,4}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
