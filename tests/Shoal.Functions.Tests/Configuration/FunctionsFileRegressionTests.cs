using Shoal.Configuration;
using Shoal.Functions.Configuration;

namespace Shoal.Functions.Tests.Configuration;

/// <summary>Inputs the functions/routing fuzzer (and the fuzz run) found crashing the loader, each kept minimal.</summary>
public sealed class FunctionsFileRegressionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public FunctionsFileRegressionTests() => _dir.CreateDirectory("hello");

    public void Dispose() => _dir.Dispose();

    private string ErrorOf(string functions, string? routing = null) =>
        Assert.Throws<ConfigFileException>(() => FunctionsFileLoader.Load(
            _dir.Write("functions.yml", functions), routing is null ? null : _dir.Write("routing.yml", routing), _ => null)).Message;

    [Fact]
    public void Load_TimeoutOf1e20_ReportsTheLargestAllowed()
    {
        Assert.Equal(
            "functions.yml:5:14: functions.hello.timeout: 1e20 is out of range; allowed 1s to 15m",
            ErrorOf("functions:\n  hello:\n    command: [x]\n    code: hello\n    timeout: 1e20\n"));
    }

    [Fact]
    public void Load_NaNTimeout_IsRefused()
    {
        Assert.Equal(
            "functions.yml:5:14: functions.hello.timeout: expected a duration such as 500ms, 5s or 1m, got 'NaN'",
            ErrorOf("functions:\n  hello:\n    command: [x]\n    code: hello\n    timeout: NaN\n"));
    }

    [Fact]
    public void Load_NulInTheCodePath_IsRefused()
    {
        Assert.Equal(
            "functions.yml:4:11: functions.hello.code: a path cannot hold the control character U+0000",
            ErrorOf("functions:\n  hello:\n    command: [x]\n    code: \"he\\0llo\"\n"));
    }

    [Fact]
    public void Load_NulInTheJwksPath_IsRefused()
    {
        var message = ErrorOf(
            "functions:\n  hello:\n    command: [x]\n    code: hello\n",
            "auth:\n  jwt:\n    jwks_file: \"k\\0.json\"\n");

        Assert.Equal("routing.yml:3:16: auth.jwt.jwks_file: a path cannot hold the control character U+0000", message);
    }

    [Fact]
    public void Load_DeepNestingInTheRoutingFile_ReportsTheDepthLimit()
    {
        var message = ErrorOf(
            "functions:\n  hello:\n    command: [x]\n    code: hello\n",
            "routes: " + new string('[', 10_000) + new string(']', 10_000) + "\n");

        Assert.Equal("routing.yml:1:72: nested more than 64 levels deep", message);
    }
}
