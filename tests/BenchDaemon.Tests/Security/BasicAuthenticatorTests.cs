using System.Diagnostics;
using System.Text;
using BenchDaemon.Security;
using Microsoft.Extensions.Time.Testing;

namespace BenchDaemon.Tests.Security;

public sealed class BasicAuthenticatorTests : IDisposable
{
    private static readonly Lazy<string> s_hash = new(() => BCrypt.Net.BCrypt.HashPassword("right horse", 10));

    private readonly FakeTimeProvider _time = new();
    private readonly BasicAuthenticator _authenticator;

    public BasicAuthenticatorTests()
    {
        _authenticator = new BasicAuthenticator(_time);
    }

    public void Dispose() => _authenticator.Dispose();

    private static Dictionary<string, string> Users => new(StringComparer.Ordinal) { ["prometheus"] = s_hash.Value };

    private static string Header(string user, string password) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    [Fact]
    public async Task Verify_RightPassword_OkAndRemembered()
    {
        var first = await _authenticator.VerifyAsync(Header("prometheus", "right horse"), Users, TestContext.Current.CancellationToken);
        var second = await _authenticator.VerifyAsync(Header("prometheus", "right horse"), Users, TestContext.Current.CancellationToken);

        Assert.True(first.Ok);
        Assert.True(second.Ok);
        Assert.Equal(1, _authenticator.Verifications);
        Assert.Equal(1, _authenticator.CachedCount);
    }

    [Fact]
    public async Task Verify_AfterCacheLifetime_PaysBcryptAgain()
    {
        await _authenticator.VerifyAsync(Header("prometheus", "right horse"), Users, TestContext.Current.CancellationToken);
        _time.Advance(BasicAuthenticator.CacheLifetime + TimeSpan.FromSeconds(1));

        var again = await _authenticator.VerifyAsync(Header("prometheus", "right horse"), Users, TestContext.Current.CancellationToken);

        Assert.True(again.Ok);
        Assert.Equal(2, _authenticator.Verifications);
    }

    [Theory]
    [InlineData("prometheus", "wrong horse")]
    [InlineData("prometheus", "")]
    [InlineData("mallory", "right horse")]
    public async Task Verify_WrongCredentials_RefusedAndNotRemembered(string user, string password)
    {
        var result = await _authenticator.VerifyAsync(Header(user, password), Users, TestContext.Current.CancellationToken);
        var again = await _authenticator.VerifyAsync(Header(user, password), Users, TestContext.Current.CancellationToken);

        Assert.False(result.Ok);
        Assert.False(again.Ok);
        Assert.Equal(user, result.User);
        // Unknown users pay bcrypt too, so timing does not reveal which names exist.
        Assert.Equal(2, _authenticator.Verifications);
        Assert.Equal(0, _authenticator.CachedCount);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer abc")]
    [InlineData("Basic")]
    [InlineData("Basic !!!not-base64!!!")]
    [InlineData("Basic bm9jb2xvbg==")] // "nocolon"
    [InlineData("Basic OnB3")] // ":pw", empty user
    [InlineData("Basic //79/w==")] // invalid UTF-8
    public async Task Verify_MalformedHeader_RefusedWithoutBcrypt(string? header)
    {
        var result = await _authenticator.VerifyAsync(header, Users, TestContext.Current.CancellationToken);

        Assert.False(result.Ok);
        Assert.Equal(0, _authenticator.Verifications);
    }

    [Fact]
    public async Task Verify_ChangedHash_ForgetsTheOldPassword()
    {
        await _authenticator.VerifyAsync(Header("prometheus", "right horse"), Users, TestContext.Current.CancellationToken);
        var rotated = new Dictionary<string, string>(StringComparer.Ordinal) { ["prometheus"] = BCrypt.Net.BCrypt.HashPassword("new horse", 10) };

        var old = await _authenticator.VerifyAsync(Header("prometheus", "right horse"), rotated, TestContext.Current.CancellationToken);
        var fresh = await _authenticator.VerifyAsync(Header("prometheus", "new horse"), rotated, TestContext.Current.CancellationToken);

        Assert.False(old.Ok);
        Assert.True(fresh.Ok);
    }

    [Fact]
    public async Task Verify_HtpasswdStyle2yHash_Accepted()
    {
        // htpasswd -B writes $2y$; the same digest under another revision letter.
        var users = new Dictionary<string, string>(StringComparer.Ordinal) { ["prometheus"] = "$2y$" + s_hash.Value[4..] };

        var result = await _authenticator.VerifyAsync(Header("prometheus", "right horse"), users, TestContext.Current.CancellationToken);

        Assert.True(result.Ok);
    }

    [Fact]
    public async Task Verify_ManyDistinctCredentials_CacheStaysBounded()
    {
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < BasicAuthenticator.CacheCapacity + 10; i++)
        {
            users[$"user{i}"] = "$2a$" + s_hash.Value[4..];
        }

        foreach (var user in users.Keys)
        {
            Assert.True((await _authenticator.VerifyAsync(Header(user, "right horse"), users, TestContext.Current.CancellationToken)).Ok);
        }

        Assert.InRange(_authenticator.CachedCount, 1, BasicAuthenticator.CacheCapacity);
    }

    [Fact]
    public async Task Verify_Cached_IsMuchFasterThanBcrypt()
    {
        var watch = Stopwatch.StartNew();
        await _authenticator.VerifyAsync(Header("prometheus", "right horse"), Users, TestContext.Current.CancellationToken);
        var first = watch.Elapsed;
        watch.Restart();
        for (var i = 0; i < 100; i++)
        {
            await _authenticator.VerifyAsync(Header("prometheus", "right horse"), Users, TestContext.Current.CancellationToken);
        }

        var hundredCached = watch.Elapsed;

        Assert.True(hundredCached < first, $"100 cached checks took {hundredCached}, one bcrypt {first}");
    }
}
