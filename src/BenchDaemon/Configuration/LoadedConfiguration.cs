using Microsoft.Extensions.Configuration;

namespace BenchDaemon.Configuration;

/// <summary>The effective configuration and the file it came from (null when only defaults, environment and overrides apply).</summary>
public sealed record LoadedConfiguration(IConfigurationRoot Configuration, string? File);
