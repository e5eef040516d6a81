using Shoal.Configuration;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Stack;

public sealed class FunctionsSectionTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-fnsection-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private StackDefinition Parse(string yaml) => StandardStack.Parse(yaml, Path.Combine(_directory, "shoal.yml"), "shoal.yml");

    [Fact]
    public void Functions_FoundNextToTheStackFile_NeedNoSectionAndNoServices()
    {
        File.WriteAllText(Path.Combine(_directory, "functions.yml"), "functions: {}");
        File.WriteAllText(Path.Combine(_directory, "routing.yml"), "routes: []");

        var stack = Parse("name: fn\n");

        Assert.Empty(stack.Services);
        Assert.Equal(Path.Combine(_directory, "functions.yml"), stack.Functions.DefinitionsFile);
        Assert.Equal(Path.Combine(_directory, "routing.yml"), stack.Functions.RoutingFile);
        Assert.Equal("local", stack.Functions.Agent);
        Assert.Equal(TimeSpan.FromSeconds(1), stack.Functions.JanitorInterval);
    }

    [Fact]
    public void Functions_NamedFilesAgentAndJanitor_AreRead()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "fn"));
        File.WriteAllText(Path.Combine(_directory, "fn", "defs.yml"), "functions: {}");

        var stack = Parse("functions:\n  definitions: fn/defs.yml\n  agent: http://127.0.0.1:7071\n  janitor_interval: 250ms\n");

        Assert.Equal(Path.Combine(_directory, "fn", "defs.yml"), stack.Functions.DefinitionsFile);
        Assert.Null(stack.Functions.RoutingFile);
        Assert.Equal("http://127.0.0.1:7071", stack.Functions.Agent);
        Assert.Equal(TimeSpan.FromMilliseconds(250), stack.Functions.JanitorInterval);
    }

    [Fact]
    public void Functions_MissingFileAndBadAgent_AreErrorsAtTheirLines()
    {
        var message = Assert.Throws<ConfigFileException>(() => Parse("functions:\n  definitions: nope.yml\n  agent: tcp://x\n")).Message;

        Assert.Contains("shoal.yml:2:16: functions.definitions: 'nope.yml' does not exist", message, StringComparison.Ordinal);
        Assert.Contains("shoal.yml:3:10: functions.agent: 'tcp://x' is not an agent", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Functions_SectionWithoutAnyFunctionsFile_IsAnError()
    {
        var message = Assert.Throws<ConfigFileException>(() => Parse("functions:\n  agent: local\n")).Message;

        Assert.Contains("no functions file", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Services_StillRequired_WithoutFunctions()
    {
        var message = Assert.Throws<ConfigFileException>(() => Parse("name: x\n")).Message;

        Assert.Contains("services", message, StringComparison.Ordinal);
    }
}
