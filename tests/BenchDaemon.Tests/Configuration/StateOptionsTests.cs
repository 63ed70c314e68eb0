using BenchDaemon.Configuration;

namespace BenchDaemon.Tests.Configuration;

public sealed class StateOptionsTests
{
    [Fact]
    public void DefaultDirectory_SystemdStateDirectory_UsesFirstEntry()
    {
        var env = Env(("STATE_DIRECTORY", "/var/lib/benchdaemon:/var/lib/other"), ("INVOCATION_ID", "abc"), ("HOME", "/home/u"));

        Assert.Equal("/var/lib/benchdaemon", StateOptions.DefaultDirectory(env));
    }

    [Fact]
    public void DefaultDirectory_UnderSystemdWithoutStateDirectory_UsesVarLib()
    {
        Assert.Equal("/var/lib/benchdaemon", StateOptions.DefaultDirectory(Env(("INVOCATION_ID", "abc"), ("HOME", "/home/u"))));
    }

    [Fact]
    public void DefaultDirectory_XdgStateHome_IsHonoured()
    {
        Assert.Equal("/x/state/benchdaemon", StateOptions.DefaultDirectory(Env(("XDG_STATE_HOME", "/x/state"), ("HOME", "/home/u"))));
    }

    [Fact]
    public void DefaultDirectory_RelativeXdgStateHome_IsIgnoredPerSpec()
    {
        // The XDG base-directory spec says relative paths are invalid and must be ignored.
        Assert.Equal("/home/u/.local/state/benchdaemon", StateOptions.DefaultDirectory(Env(("XDG_STATE_HOME", "relative"), ("HOME", "/home/u"))));
    }

    [Fact]
    public void DefaultDirectory_Plain_UsesHomeLocalState()
    {
        Assert.Equal("/home/u/.local/state/benchdaemon", StateOptions.DefaultDirectory(Env(("HOME", "/home/u"))));
    }

    private static Func<string, string?> Env(params (string Key, string Value)[] values) =>
        key => values.FirstOrDefault(v => v.Key == key).Value;
}
