using Shoal.Configuration;
using Shoal.Orchestration.Stack;

namespace Shoal.Orchestration.Tests.Stack;

/// <summary>A stack of functions only, with the standard readers: the functions reader makes <c>services:</c> optional.</summary>
public sealed class FunctionsOnlyStackTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("shoal-fnonly-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private StackDefinition Parse(string yaml) => StandardStack.Parse(yaml, Path.Combine(_directory, "shoal.yml"), "shoal.yml");

    [Fact]
    public void Functions_FoundNextToTheStackFile_NeedNoServices()
    {
        File.WriteAllText(Path.Combine(_directory, "functions.yml"), "functions: {}");

        var stack = Parse("name: fn\n");

        Assert.Empty(stack.Services);
        Assert.Equal(Path.Combine(_directory, "functions.yml"), stack.Functions.DefinitionsFile);
    }

    [Fact]
    public void Services_StillRequired_WithoutFunctions()
    {
        var message = Assert.Throws<ConfigFileException>(() => Parse("name: x\n")).Message;

        Assert.Equal("shoal.yml:1:1: services: missing: a stack needs a 'services:' mapping with at least one service", message);
    }
}
