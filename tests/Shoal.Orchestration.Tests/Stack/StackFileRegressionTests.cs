using Shoal.Configuration;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Stack;

/// <summary>Inputs the stack-file fuzzer (and the fuzz run) found crashing the loader, each kept minimal.</summary>
public sealed class StackFileRegressionTests
{
    private static ConfigFileException Refusal(string yaml) =>
        Assert.Throws<ConfigFileException>(() => StandardStack.Parse(yaml, "/stacks/demo/shoal.yml", "shoal.yml"));

    [Fact]
    public void Parse_DurationOf1e20_ReportsTheLargestAllowed()
    {
        var message = Refusal("services:\n  app:\n    command: [x]\n    stop_grace_period: 1e20\n").Message;

        Assert.Equal("shoal.yml:4:24: services.app.stop_grace_period: 1e20 is out of range; allowed 0ms to 10m", message);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData(".nan")]
    [InlineData("Infinity")]
    [InlineData("-1")]
    public void Parse_DurationNotANumberOrNegative_IsRefused(string value)
    {
        var message = Refusal($"services:\n  app:\n    command: [x]\n    stop_grace_period: {value}\n").Message;

        Assert.Equal($"shoal.yml:4:24: services.app.stop_grace_period: expected a duration such as 500ms, 5s or 1m, got '{value}'", message);
    }

    [Fact]
    public void Parse_DurationInDaysBeyondTheLimit_ReportsTheLimitInDays()
    {
        var message = Refusal("services:\n  app:\n    command: [x]\n    deploy: { interval: 60d }\n").Message;

        Assert.Equal("shoal.yml:4:25: services.app.deploy.interval: 60d is out of range; allowed 100ms to 1d", message);
    }

    [Fact]
    public void Parse_NaNNumber_IsRefused()
    {
        var message = Refusal("services:\n  app:\n    command: [x]\n    load_balancing: { strategy: consistent-hash, hash_key: path, bounded_load: NaN }\n").Message;

        Assert.Contains("services.app.load_balancing.bounded_load: expected a number from 1 to 100, got 'NaN'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NanFraction_IsRefused()
    {
        var message = Refusal("services:\n  app:\n    command: [x]\n    deploy: { max_error_rate: NaN% }\n").Message;

        Assert.Equal("shoal.yml:4:31: services.app.deploy.max_error_rate: expected a number from 0 to 1, got 'NaN%'", message);
    }

    [Theory]
    [InlineData("working_dir: \"a\\0b\"")]
    [InlineData("project: \"app\\0.csproj\"")]
    public void Parse_NulInAPath_IsRefused(string field)
    {
        var error = Assert.Single(Refusal($"services:\n  app:\n    command: [x]\n    {field}\n").Errors);

        Assert.Equal(4, error.Line);
        Assert.Equal("a path cannot hold the control character U+0000", error.Message);
    }

    [Fact]
    public void Parse_NulInACommand_IsRefused()
    {
        var error = Assert.Single(Refusal("services:\n  app:\n    command: [\"a\\0b\"]\n").Errors);

        Assert.Equal("shoal.yml:3:14: services.app.command: an argument cannot hold a NUL character (U+0000)", error.ToString());
    }

    [Fact]
    public void Parse_DeepFlowNesting_ReportsTheDepthLimit()
    {
        var deep = "services: " + new string('[', 100_000) + new string(']', 100_000) + "\n";

        var error = Assert.Single(Refusal(deep).Errors);

        Assert.Equal("shoal.yml:1:74: nested more than 64 levels deep", error.ToString());
    }

    [Fact]
    public void Parse_DeepBlockNesting_ReportsTheDepthLimit()
    {
        var deep = string.Join('\n', Enumerable.Range(0, 200).Select(d => new string(' ', d) + "k:")) + " x\n";

        var error = Assert.Single(Refusal(deep).Errors);

        Assert.Equal(65, error.Line);
        Assert.Equal("nested more than 64 levels deep", error.Message);
    }

    [Fact]
    public void Parse_UnclosedFlowMappingBeforeNonAscii_ReportsInvalidYaml()
    {
        var error = Assert.Single(Refusal("a:\n  - { b: é\n  c: d\n").Errors);

        Assert.True(error.Line >= 1 && error.Column >= 1);
        Assert.StartsWith("not valid YAML", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("- a\n- b\n")]
    [InlineData("just text\n")]
    public void Parse_RootNotAMapping_PointsAtTheStart(string yaml)
    {
        var error = Assert.Single(Refusal(yaml).Errors);

        Assert.Equal("shoal.yml:1:1: the stack file must be a mapping with a 'services:' section", error.ToString());
    }

    [Fact]
    public void Parse_ServiceKeysThatAreNotNames_ReportsBothWithoutCrashing()
    {
        var errors = Refusal("services:\n  ? [a]\n  : { command: x }\n  ? [b]\n  : { command: y }\n").Errors;

        Assert.Equal([2, 4], errors.Select(e => e.Line));
        Assert.All(errors, e => Assert.Equal("a service name uses lower-case letters, digits and '-' and starts with a letter", e.Message));
    }

    [Fact]
    public void Parse_UnknownKeyWithControlCharacters_EscapesThemInTheMessage()
    {
        var error = Assert.Single(Refusal("services:\n  app:\n    command: [x]\n    \"a\\e[31mb\": 1\n").Errors);

        Assert.Equal("unknown field 'a\\u001b[31mb'; allowed here: command, project, replicas, port, env, health, restart, depends_on, routes, working_dir, version, stop_grace_period, inherit_env, weight, metadata, per_replica, load_balancing, resilience, rate_limit, external, runtime, image, network, user, resources, postgres, redis, deploy", error.Message);
    }
}
