using Shoal.Configuration;
using Xunit;

namespace Shoal.Core.Tests.Configuration;

public sealed class InterpolationTests
{
    private static readonly Dictionary<string, string> s_variables = new(StringComparer.Ordinal)
    {
        ["HOST"] = "db.local",
        ["EMPTY"] = "",
        ["PORT"] = "5432",
    };

    private static Interpolation.Result Apply(string text, params string[] deferred) =>
        Interpolation.Apply(text, n => s_variables.GetValueOrDefault(n), new HashSet<string>(deferred));

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("${HOST}", "db.local")]
    [InlineData("$HOST:1", "db.local:1")]
    [InlineData("postgres://${HOST}:${PORT}/app", "postgres://db.local:5432/app")]
    [InlineData("${MISSING:-fallback}", "fallback")]
    [InlineData("${EMPTY:-fallback}", "fallback")]
    [InlineData("${EMPTY-fallback}", "")]
    [InlineData("${MISSING-fallback}", "fallback")]
    [InlineData("${HOST:+set}", "set")]
    [InlineData("${EMPTY:+set}", "")]
    [InlineData("${EMPTY+set}", "set")]
    [InlineData("${MISSING+set}", "")]
    [InlineData("${MISSING:-${HOST}}", "db.local")]
    [InlineData("${MISSING:-a ${MISSING2:-b} c}", "a b c")]
    [InlineData("price: $$5 and $${HOST}", "price: $5 and ${HOST}")]
    [InlineData("$(seq 3) $! $1 $", "$(seq 3) $! $1 $")]
    [InlineData("${HOST:?needed}", "db.local")]
    public void Replaces_AsCompose(string text, string expected)
    {
        var result = Apply(text);

        Assert.Null(result.Error);
        Assert.Equal(expected, result.Value);
        Assert.Empty(result.Unset);
    }

    [Fact]
    public void UnsetWithoutDefault_ReadsEmpty_AndIsNamedOnce()
    {
        var result = Apply("${NOPE}/$NOPE/${OTHER}");

        Assert.Equal("//", result.Value);
        Assert.Equal(["NOPE", "OTHER"], result.Unset);
    }

    [Fact]
    public void UnsetInsideAnUnusedDefault_IsNotReported()
    {
        var result = Apply("${HOST:-${NOPE}}");

        Assert.Equal("db.local", result.Value);
        Assert.Empty(result.Unset);
    }

    [Theory]
    [InlineData("${NOPE:?set NOPE to the database URL}", "NOPE: set NOPE to the database URL")]
    [InlineData("${EMPTY:?must not be empty}", "EMPTY: must not be empty")]
    [InlineData("${NOPE?}", "the variable NOPE is required but not set")]
    public void Required_IsAnError(string text, string error)
    {
        var result = Apply(text);

        Assert.Null(result.Value);
        Assert.Equal(error, result.Error);
    }

    [Theory]
    [InlineData("${HOST")]
    [InlineData("${HOST:-x")]
    [InlineData("${}")]
    [InlineData("${1ABC}")]
    [InlineData("${HOST/x}")]
    public void Malformed_IsAnError(string text)
    {
        var result = Apply(text);

        Assert.Null(result.Value);
        Assert.NotNull(result.Error);
    }

    [Fact]
    public void DeferredNames_AreLeftAsWritten_ForTheReplica()
    {
        var result = Apply("--port ${PORT} $PORT ${PORT:-80} ${HOST}", "PORT");

        Assert.Equal("--port ${PORT} $PORT ${PORT:-80} db.local", result.Value);
    }

    [Fact]
    public void PerReplica_NamesEveryVariableTheReplicaSets()
    {
        // ReplicaTemplate sets these per replica; they must survive the file's interpolation to be substituted there.
        Assert.Contains("PORT", FileVariables.PerReplica);
        Assert.Contains("SHOAL_DATA_DIR", FileVariables.PerReplica);
        Assert.Contains("ASPNETCORE_URLS", FileVariables.PerReplica);
    }
}
